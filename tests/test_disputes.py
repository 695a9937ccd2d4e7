from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import FollowupCommon
from .common_rpc import FollowupRpcCommon


@tagged("post_install", "-at_install")
class TestDisputes(FollowupCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.customer.followup_responsible_id = cls.accountant
        cls.move = cls._invoice(cls.customer, 100, "2026-01-01")  # due 2026-01-01
        cls.quality = cls.env.ref("account_payment_followup.account_followup_dispute_reason_quality")

    def _open_dispute(self, move=None, comment="Broken items"):
        return (move or self.move).with_user(self.accountant)._followup_open_dispute(self.quality, comment)

    def _level_activities(self):
        return self.customer.activity_ids.filtered("followup_level_id")

    def test_disputed_invoice_is_not_chased_and_resumes_without_burst(self):
        with freeze_time("2026-01-02"):
            self._run_cron()
            self.assertEqual(len(self._followup_mails(self.customer)), 1, "first reminder")
        with freeze_time("2026-01-05"):
            dispute = self._open_dispute()
            self.assertTrue(self.move.followup_in_dispute)
            self.assertRecordValues(
                dispute,
                [
                    {
                        "partner_id": self.customer.id,
                        "user_id": self.accountant.id,
                        "state": "open",
                        "date_opened": self.d("2026-01-05"),
                        "origin": "user",
                    }
                ],
            )
            self.assertEqual(dispute.activity_ids.user_id, self.accountant)
            story = self.customer.message_ids[0]
            self.assertIn(f"disputes {self.move.name} (Quality)", str(story.body))
            self.assertIn("Broken items", str(story.body))
            statement = self.env["account.followup"]._get_statement(self.customer)
            self.assertTrue(statement["lines"][0]["in_dispute"], "its amount stays, marked in dispute")
            self.assertEqual(statement["totals"][0]["due"], 100)
            self.assertEqual(statement["totals"][0]["overdue"], 0)
            screen = self.env["account.followup.statement"].with_user(self.accountant).get_statement(self.customer.id)
            self.assertTrue(screen["lines"][0]["in_dispute"])
            self.assertEqual([d["invoice"] for d in screen["disputes"]], [self.move.name])
        for day in ("2026-01-16", "2026-02-06", "2026-03-03"):
            with freeze_time(day):
                self._run_cron()
                self.customer.invalidate_recordset()
                self.assertEqual(self.customer.followup_status, "no_action_needed", day)
        self.assertFalse(self._level_activities(), "no level while in dispute")
        self.assertEqual(len(self._followup_mails(self.customer)), 1)
        with freeze_time("2026-03-15"):  # 73 days late
            # "Mark resolved" without an outcome: a dialog asks for it, its field required (no error)
            action = dispute.with_user(self.accountant).action_resolve()
            self.assertEqual(dispute.state, "open")
            self.assertEqual((action["res_model"], action["target"]), ("account.followup.dispute.resolve", "new"))
            wizard = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
            self.assertEqual(wizard.dispute_ids[:], dispute)
            with self.assertRaisesRegex(AssertionError, "resolution is a required field"):
                wizard.save()
            wizard.resolution = "confirmed"
            wizard.save().action_resolve()
            self.assertEqual(dispute.state, "resolved")
            self.assertEqual(dispute.date_resolved, self.d("2026-03-15"))
            self.assertFalse(self.move.followup_in_dispute)
            self.assertFalse(dispute.activity_ids, "the owner's activity is done")
            self.assertIn("Invoice confirmed", str(self.customer.message_ids[0].body))
            self._run_cron()
            activities = self._level_activities()
            self.assertEqual(
                activities.followup_level_id, self.level_notice, "only the highest level reached, no burst"
            )
            self.assertEqual(len(self._followup_mails(self.customer)), 1, "the missed e-mail levels are not sent")

    def test_other_invoices_are_still_chased(self):
        other = self._invoice(self.customer, 40, "2026-01-01")
        with freeze_time("2026-01-01"):
            self._open_dispute()
        with freeze_time("2026-01-02"):
            self._run_cron()
            mail = self._followup_mails(self.customer)
            self.assertEqual(len(mail), 1)
            self.assertIn(other.name, str(mail.body_html))
            self.assertIn("in dispute", str(mail.body_html), "listed, marked in dispute")
            totals = self.env["account.followup"]._get_statement(self.customer)["totals"]
            self.assertEqual((totals[0]["due"], totals[0]["overdue"]), (140, 40))
            receivable = self.move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            self.assertFalse(receivable.followup_level_id, "the disputed invoice received nothing")

    def test_open_from_the_invoice_and_the_statements_screen(self):
        action = self.move.with_user(self.accountant).action_followup_open_dispute()
        self.assertEqual(action["target"], "new")
        form = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
        form.reason = self.quality
        form.comment = "Two boxes missing"
        dispute = form.save()
        self.assertEqual(dispute.move_id, self.move)
        self.assertEqual(dispute.partner_id, self.customer)
        self.assertEqual(dispute.user_id, self.accountant, "the follow-up responsible owns it")
        with self.assertRaisesRegex(UserError, "not an open customer invoice|already in dispute"):
            self._open_dispute()
        dispute.resolution = "cancelled"
        dispute.action_resolve()

        other = self._invoice(self.customer, 40, "2026-01-01")
        action = self.customer.with_user(self.accountant).action_followup_open_dispute()
        form = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
        self.assertEqual(form.partner_id, self.customer)
        form.move_id = other
        form.reason = self.quality
        second = form.save()
        self.assertEqual(second.partner_id, self.customer)
        self.assertTrue(other.followup_in_dispute)
        disputes = self.env["account.followup.dispute"].search([("move_id", "=", self.move.id)])
        self.assertEqual(disputes.mapped("state"), ["resolved"])

    def test_one_open_dispute_per_invoice(self):
        self._open_dispute()
        with self.assertRaises(ValidationError):
            self.env["account.followup.dispute"].create(
                {"move_id": self.move.id, "reason": self.quality.id, "comment": "again"}
            )

    def test_open_disputes_by_age_owner_and_reason(self):
        with freeze_time("2026-01-05"):
            dispute = self._open_dispute()
            self.assertEqual(dispute.age_bucket, "0_30")
        with freeze_time("2026-02-20"):
            self.env["account.followup.promise"]._cron_check_promises()
            self.assertEqual(dispute.age, 46)
            Dispute = self.env["account.followup.dispute"].with_user(self.accountant)
            groups = Dispute.read_group([("state", "=", "open")], ["age_bucket"], ["age_bucket"])
            self.assertEqual([(g["age_bucket"], g["age_bucket_count"]) for g in groups], [("31_60", 1)])
            groups = Dispute.read_group([("state", "=", "open")], ["reason"], ["reason", "user_id"], lazy=False)
            self.assertEqual(groups[0]["reason"][0], self.quality.id)
            self.assertEqual(groups[0]["user_id"][0], self.accountant.id)
            action = self.env.ref("account_payment_followup.account_followup_dispute_action")
            self.assertIn("search_default_open", action.context)

    def test_read_only_user_cannot_open_a_dispute(self):
        reader = new_test_user(
            self.env, login="reader.dispute", groups="base.group_user,account.group_account_readonly"
        )
        with self.assertRaises(AccessError):
            self.move.with_user(reader)._followup_open_dispute(self.quality, "no")

    def test_company_edits_its_reasons(self):
        manager = new_test_user(
            self.env,
            login="manager.dispute",
            groups="base.group_user,account.group_account_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        Reason = self.env["account.followup.dispute.reason"].with_user(manager)
        self.assertEqual(
            Reason.search([]).mapped("name"),
            ["Wrong amount", "Goods not received", "Quality", "Already paid", "Other"],
        )
        own = Reason.create({"name": "Late delivery", "company_id": self.company.id})
        self.assertIn(own, Reason.search([]))
        other_company = self.company_data_2["company"]
        outsider = new_test_user(
            self.env,
            login="outsider.dispute",
            groups="base.group_user,account.group_account_invoice",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        reasons = self.env["account.followup.dispute.reason"].with_user(outsider).search([])
        self.assertNotIn(own, reasons, "another company's reason")
        self.assertEqual(len(reasons), 5, "the shared ones")

    def test_customer_disputes_from_the_portal(self):
        with freeze_time("2026-01-05"):
            # the portal page calls the API as the system, on the customer's behalf
            dispute = self.move.sudo()._followup_open_dispute(self.quality, "Three pieces broken", origin="customer")
            self.assertEqual(dispute.origin, "customer")
            self.assertEqual(dispute.activity_ids.user_id, self.accountant)
            story = self.customer.message_ids[0]
            self.assertIn("The customer disputes", str(story.body))
            self.assertIn("Three pieces broken", str(story.body))
            self.assertTrue(self.move.message_ids.filtered(lambda m: "The customer disputes" in str(m.body)))

    def test_other_companies_see_neither_disputes_nor_promises(self):
        with freeze_time("2026-01-05"):
            self._open_dispute()
            self.move.with_user(self.accountant)._followup_promise("2026-01-20")
        other_company = self.company_data_2["company"]
        outsider = new_test_user(
            self.env,
            login="outsider.followup",
            groups="base.group_user,account.group_account_invoice",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        self.assertFalse(self.env["account.followup.dispute"].with_user(outsider).search([]))
        self.assertFalse(self.env["account.followup.promise"].with_user(outsider).search([]))
        self.assertEqual(len(self.env["account.followup.dispute"].with_user(self.accountant).search([])), 1)


@tagged("post_install", "-at_install")
class TestDisputesAcrossCompanies(FollowupRpcCommon):
    """A billing clerk of company A, over JSON-RPC, never reaches company B's
    invoices through a dispute."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        today = fields.Date.today()
        cls.company_b = cls.company_data_2["company"]
        cls.company_b.payment_followup_enabled = True
        cls.quality = cls.env.ref("account_payment_followup.account_followup_dispute_reason_quality")
        cls.invoice_a = cls._invoice(cls.customer, 100, today - timedelta(days=20))
        cls.customer_b = cls._create_customer("Company B Customer", "b@example.com", company_id=cls.company_b.id)
        cls.invoice_b = cls._invoice(cls.customer_b, 500, today - timedelta(days=20), company=cls.company_b)
        groups = "base.group_user,account.group_account_invoice"
        cls.clerk_a = new_test_user(
            cls.env,
            login="clerk.a",
            groups=groups,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.clerk_b = new_test_user(
            cls.env,
            login="clerk.b",
            groups=groups,
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        # Company B disputes its own invoice.
        cls.dispute_b = (
            cls.invoice_b.with_user(cls.clerk_b)
            .with_company(cls.company_b)
            ._followup_open_dispute(cls.quality, "B's own dispute")
        )

    def _open_disputes(self, move):
        return self.env["account.followup.dispute"].sudo().search([("move_id", "=", move.id), ("state", "=", "open")])

    def test_clerk_cannot_move_a_dispute_to_another_invoice(self):
        dispute_id = self._rpc(
            "clerk.a", "account.followup.dispute", "create", {"move_id": self.invoice_a.id, "reason": self.quality.id}
        )
        error = self._rpc_error(
            "clerk.a", "account.followup.dispute", "write", [dispute_id], {"move_id": self.invoice_b.id}
        )
        self.assertIn("UserError", error or "")
        self.env.invalidate_all()
        self.assertEqual(self._open_disputes(self.invoice_b), self.dispute_b, "B's invoice: its own dispute only")
        self.assertEqual(self._open_disputes(self.invoice_a).ids, [dispute_id])
        self.assertTrue(self.invoice_a.followup_in_dispute, "A's invoice stays in dispute")
        # Nor to another invoice of its own company.
        other_a = self._invoice(self.customer, 40, fields.Date.today())
        self.assertIn(
            "UserError",
            self._rpc_error("clerk.a", "account.followup.dispute", "write", [dispute_id], {"move_id": other_a.id})
            or "",
        )
        self.env.invalidate_all()
        self.assertFalse(other_a.followup_in_dispute)

    def test_clerk_cannot_dispute_another_companys_invoice(self):
        error = self._rpc_error(
            "clerk.a",
            "account.followup.dispute",
            "create",
            {"move_id": self.invoice_b.id, "reason": self.quality.id, "comment": "second"},
        )
        self.assertTrue(error, "refused")
        self.env.invalidate_all()
        self.assertEqual(self._open_disputes(self.invoice_b), self.dispute_b)

    def test_one_open_dispute_per_invoice_over_rpc(self):
        self._rpc(
            "clerk.a", "account.followup.dispute", "create", {"move_id": self.invoice_a.id, "reason": self.quality.id}
        )
        error = self._rpc_error(
            "clerk.a", "account.followup.dispute", "create", {"move_id": self.invoice_a.id, "reason": self.quality.id}
        )
        self.assertIn("ValidationError", error or "")
        self.env.invalidate_all()
        self.assertEqual(len(self._open_disputes(self.invoice_a)), 1)

    def test_owner_belongs_to_the_invoice_company(self):
        error = self._rpc_error(
            "clerk.a",
            "account.followup.dispute",
            "create",
            {"move_id": self.invoice_a.id, "reason": self.quality.id, "user_id": self.clerk_b.id},
        )
        self.assertIn("UserError", error or "", "company B's clerk cannot own company A's dispute")
        self.env.invalidate_all()
        self.assertFalse(self._open_disputes(self.invoice_a))
