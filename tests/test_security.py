from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.base.models.ir_qweb import QWebException

from .common import FollowupCommon
from .common_rpc import FollowupRpcCommon


@tagged("post_install", "-at_install")
class TestSecurity(FollowupCommon):
    """Who may do what: billing user, accountant, read-only accounting user,
    plain internal user, portal user; and nobody crosses companies."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)

        def user(login, *groups, company=None):
            company = company or cls.company
            return cls.env["res.users"].create(
                {
                    "name": login.title(),
                    "login": f"{login}.security",
                    "email": f"{login}@example.com",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "groups_id": [Command.set([cls.env.ref(group).id for group in groups])],
                }
            )

        cls.users = {
            "billing": cls.accountant,
            "manager": user("manager", "base.group_user", "account.group_account_manager"),
            "readonly": user("readonly", "base.group_user", "account.group_account_readonly"),
            "internal": user("internal", "base.group_user"),
            "portal": user("portal", "base.group_portal"),
        }
        cls.company_b = cls.company_data_2["company"]
        cls.company_b.payment_followup_enabled = True
        cls.user_b = user("billing_b", "base.group_user", "account.group_account_invoice", company=cls.company_b)
        cls.invoice = cls._invoice(cls.customer, 100, "2026-01-01")
        cls.customer_b = cls._create_customer("Company B Customer", "b@example.com", company_id=cls.company_b.id)
        cls.invoice_b = cls._invoice(cls.customer_b, 100, "2026-01-01", company=cls.company_b)
        cls.level_b = cls.env["account.followup.level"].search([("company_id", "=", cls.company_b.id)], limit=1)

    def _allowed(self, who, operation):
        try:
            operation(self.users[who])
        except AccessError:
            return False
        except QWebException as error:  # a report wraps the access error it met
            if isinstance(error.__cause__, AccessError):
                return False
            raise
        return True

    def assertMatrix(self, operation, allowed):
        for who in self.users:
            with self.subTest(user=who), self.env.cr.savepoint() as savepoint:
                self.assertEqual(self._allowed(who, operation), who in allowed, f"{who}")
                savepoint.rollback()

    def test_levels(self):
        Level = self.env["account.followup.level"]
        self.assertMatrix(lambda u: Level.with_user(u).search([]).mapped("name"), {"billing", "manager", "readonly"})
        self.assertMatrix(lambda u: self.level_first.with_user(u).write({"delay": 2}), {"manager"})
        self.assertMatrix(
            lambda u: Level.with_user(u).create(
                {"name": "New", "delay": 99, "company_id": self.company.id, "send_letter": True}
            ),
            {"manager"},
        )
        self.assertMatrix(lambda u: self.level_notice.with_user(u).unlink(), {"manager"})

    def test_aged_receivable(self):
        Aged = self.env["account.followup.aged.receivable"]
        self.assertMatrix(lambda u: Aged.with_user(u).search([]).mapped("total"), {"billing", "manager", "readonly"})

    @freeze_time("2026-01-16")
    def test_partner_followup_fields_and_actions(self):
        everyone_accounting = {"billing", "manager", "readonly"}
        self.assertMatrix(
            lambda u: self.env["res.partner"].with_user(u).search([("followup_status", "=", "in_need_of_action")]),
            everyone_accounting,
        )
        self.assertMatrix(
            lambda u: self.customer.with_user(u).read(["followup_status", "followup_level_id", "total_due"]),
            everyone_accounting,
        )
        billing = {"billing", "manager"}
        self.assertMatrix(lambda u: self.customer.with_user(u).action_followup_done(), billing)
        self.assertMatrix(lambda u: self.customer.with_user(u).action_followup_back_to_automatic(), billing)
        self.assertMatrix(lambda u: self.customer.with_user(u).action_followup_send(), billing)

    def test_wizards(self):
        billing = {"billing", "manager"}
        self.assertMatrix(
            lambda u: self.env["res.partner.followup.note"]
            .with_user(u)
            .create({"partner_id": self.customer.id, "note": "Called"})
            .action_apply(),
            billing,
        )
        self.assertMatrix(
            lambda u: self.env["res.partner.followup.plan"]
            .with_user(u)
            .create({"partner_id": self.customer.id, "date": "2099-01-01"})
            .action_apply(),
            billing,
        )
        self.assertMatrix(
            lambda u: self.env["account.move.expected.payment"]
            .with_user(u)
            .create({"move_ids": self.invoice.ids, "expected_payment_date": "2099-01-01"})
            .action_apply(),
            billing,
        )
        self.assertMatrix(
            lambda u: self.env["account.followup.preview"].with_user(u).create({}).preview_html,
            billing,
        )

    def test_invoice_fields(self):
        self.assertMatrix(
            lambda u: self.invoice.with_user(u).write({"followup_excluded": True}), {"billing", "manager"}
        )
        self.assertMatrix(
            lambda u: self.invoice.with_user(u).write({"expected_payment_date": "2099-01-01"}), {"billing", "manager"}
        )

    @freeze_time("2026-01-16")
    def test_letter(self):
        report = self.env.ref("account_payment_followup.action_report_followup_letter")
        self.assertMatrix(
            lambda u: report.with_user(u)._render_qweb_html(report.report_name, self.customer.ids),
            {"billing", "manager", "readonly"},
        )

    @freeze_time("2026-01-16")
    def test_statements_screen_methods(self):
        Statement = self.env["account.followup.statement"]
        readers = {"billing", "manager", "readonly"}
        self.assertMatrix(lambda u: Statement.with_user(u).get_customers("all"), readers)
        self.assertMatrix(lambda u: Statement.with_user(u).get_statement(self.customer.id), readers)
        self.assertMatrix(lambda u: Statement.with_user(u).set_trust(self.customer.id, "bad"), {"billing", "manager"})
        self.assertMatrix(lambda u: Statement.with_user(u).set_excluded(self.invoice.id, True), {"billing", "manager"})
        self.assertMatrix(
            lambda u: Statement.with_user(u).set_expected_date(self.invoice.id, "2099-01-01"), {"billing", "manager"}
        )

    @freeze_time("2026-01-16")
    def test_company_a_never_reaches_company_b(self):
        user_a = self.accountant
        self.assertNotIn(self.level_b, self.env["account.followup.level"].with_user(user_a).search([]))
        with self.assertRaises(AccessError):
            self.level_b.with_user(user_a).read(["name"])
        with self.assertRaises(AccessError):
            self.invoice_b.with_user(user_a).read(["name"])
        with self.assertRaises(AccessError):
            self.customer_b.with_user(user_a).read(["name"])
        Statement = self.env["account.followup.statement"].with_user(user_a)
        names = [row["name"] for row in Statement.get_customers("all")["customers"]]
        self.assertNotIn("Company B Customer", names)
        with self.assertRaises(AccessError):
            Statement.get_statement(self.customer_b.id)
        with self.assertRaises(AccessError):
            Statement.set_excluded(self.invoice_b.id, True)
        counted = (
            self.env["res.partner"].with_user(user_a).search_count([("followup_status", "!=", "no_action_needed")])
        )
        self.assertEqual(counted, 1, "only company A's own customer is counted")
        self.assertFalse(
            self.env["account.followup.aged.receivable"]
            .with_user(user_a)
            .search([("partner_id", "=", self.customer_b.id)])
        )
        report = self.env.ref("account_payment_followup.action_report_followup_letter")
        try:
            report.with_user(user_a)._render_qweb_html(report.report_name, self.customer_b.ids)
            error = None
        except (QWebException, AccessError) as printing:
            error = printing
        self.assertIsInstance(error.__cause__ if isinstance(error, QWebException) else error, AccessError)
        # company B's own user sees its customer, not company A's
        names_b = [
            row["name"]
            for row in self.env["account.followup.statement"].with_user(self.user_b).get_customers("all")["customers"]
        ]
        self.assertEqual(names_b, ["Company B Customer"])


@tagged("post_install", "-at_install")
class TestFollowupRightsOverRpc(FollowupRpcCommon):
    """What a colleague without accounting rights, a portal user and a billing
    clerk can change of a customer's follow-up, calling the public methods
    over JSON-RPC (issue 19.9)."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        company = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.employee = new_test_user(cls.env, login="employee.sec", groups="base.group_user", **company)
        cls.contacts = new_test_user(
            cls.env, login="contacts.sec", groups="base.group_user,base.group_partner_manager", **company
        )
        cls.clerk = new_test_user(
            cls.env,
            login="clerk.sec",
            groups="base.group_user,base.group_partner_manager,account.group_account_invoice",
            **company,
        )
        contact = cls.env["res.partner"].create({"name": "Paul Portal", "parent_id": cls.customer.id})
        cls.portal = new_test_user(cls.env, login="portal.sec", groups="base.group_portal", partner_id=contact.id)
        company_b = cls.company_data_2["company"]
        cls.user_b = new_test_user(
            cls.env,
            login="billing.b.sec",
            groups="base.group_user,account.group_account_invoice",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        cls.customer.write({"followup_responsible_id": cls.accountant.id, "trust": "normal"})

    def _followup(self):
        self.env.invalidate_all()
        return (self.customer.followup_responsible_id, self.customer.trust, self.customer.followup_paused_until)

    def test_without_accounting_rights_nothing_changes(self):
        before = self._followup()
        self.assertEqual(before, (self.accountant, "normal", False))
        far = str(date.today() + timedelta(days=3000))
        attacks = [
            ("res.partner", "write", [self.customer.id], {"followup_responsible_id": self.contacts.id}),
            ("res.partner", "write", [self.customer.id], {"followup_paused_until": far}),
            ("res.partner", "write", [self.customer.id], {"followup_next_action_date": far}),
            ("res.partner", "action_followup_apply_suggested_trust", [self.customer.id]),
            ("res.partner", "action_followup_resume", [self.customer.id]),
            ("res.partner", "action_followup_back_to_automatic", [self.customer.id]),
            ("account.followup.statement", "set_trust", self.customer.id, "bad"),
        ]
        for login in ("employee.sec", "contacts.sec", "portal.sec"):
            for model, method, *args in attacks:
                with self.subTest(login=login, method=method, args=args):
                    error = self._rpc_error(login, model, method, *args)
                    self.assertIn("AccessError", error or "", "refused")
                    self.assertEqual(self._followup(), before)

    def test_responsible_is_an_internal_user_of_the_company(self):
        for user in (self.portal, self.user_b):
            with self.subTest(user=user.login):
                error = self._rpc_error(
                    "clerk.sec", "res.partner", "write", [self.customer.id], {"followup_responsible_id": user.id}
                )
                self.assertIn("UserError", error or "")
                self.assertEqual(self._followup()[0], self.accountant)
        self._rpc("clerk.sec", "res.partner", "write", [self.customer.id], {"followup_responsible_id": self.clerk.id})
        self.assertEqual(self._followup()[0], self.clerk)

    def test_billing_user_changes_the_trust_and_it_is_logged(self):
        self._rpc("clerk.sec", "account.followup.statement", "set_trust", self.customer.id, "bad")
        self.assertEqual(self._followup()[1], "bad")
        log = self.customer.message_ids[0]
        self.assertIn("Trust: Normal Debtor → Bad Debtor", str(log.body))

    def test_public_methods_refuse_outsiders(self):
        """Every public method of the addon that changes something refuses a
        colleague without accounting rights and a portal user."""
        today = date.today()
        invoice = self._invoice(self.customer, 100, today - timedelta(days=20))  # the call level is due
        disputed = self._invoice(self.customer, 50, today - timedelta(days=20))
        dispute = disputed._followup_open_dispute(
            self.env.ref("account_payment_followup.account_followup_dispute_reason_quality"), "Broken"
        )
        dispute.resolution = "confirmed"
        calls = [
            ("res.partner", "action_followup_done", [self.customer.id]),
            ("res.partner", "action_followup_send", [self.customer.id]),
            ("res.partner", "action_followup_back_to_automatic", [self.customer.id]),
            ("res.partner", "action_followup_resume", [self.customer.id]),
            ("res.partner", "action_followup_apply_suggested_trust", [self.customer.id]),
            ("res.partner", "action_followup_open_dispute", [self.customer.id]),
            ("account.move", "action_followup_open_dispute", [invoice.id]),
            ("account.move", "write", [invoice.id], {"followup_excluded": True}),
            ("account.followup.dispute", "action_resolve", [dispute.id]),
            ("account.followup.dispute", "action_reopen", [dispute.id]),
            ("account.followup.dispute", "write", [dispute.id], {"comment": "changed"}),
            ("account.followup.statement", "get_customers", "all"),
            ("account.followup.statement", "get_statement", self.customer.id),
            ("account.followup.statement", "set_excluded", invoice.id, True),
            ("account.followup.statement", "set_expected_date", invoice.id, str(today + timedelta(days=9))),
            ("account.followup.level", "write", [self.level_call.id], {"delay": 16}),
            ("account.followup.step", "search_read", []),
            ("account.followup.promise", "search_read", []),
        ]
        for login in ("employee.sec", "portal.sec"):
            for model, method, *args in calls:
                with self.subTest(login=login, model=model, method=method):
                    self.assertIn(
                        "AccessError", self._rpc_error(login, model, method, *args) or "", f"{login} {method}"
                    )
        self.env.invalidate_all()
        self.assertFalse(self.customer.activity_ids.filtered("followup_level_id").filtered(lambda a: a.state == "done"))
        self.assertFalse(self.customer.followup_step_ids, "nothing was recorded")
        self.assertFalse(invoice.followup_excluded or invoice.expected_payment_date)
        self.assertEqual((dispute.state, dispute.comment), ("open", "Broken"))
        self.assertEqual(self.level_call.delay, 15)

    def test_billing_user_cannot_forge_what_the_server_records_of_a_dispute(self):
        """Who opened a dispute (the customer, on its page), when, and its
        state are the server's record, not a clerk's input over JSON-RPC."""
        today = date.today()
        invoice = self._invoice(self.customer, 100, today - timedelta(days=20))
        reason = self.env.ref("account_payment_followup.account_followup_dispute_reason_quality")
        Dispute = self.env["account.followup.dispute"]
        forged = {"move_id": invoice.id, "reason": reason.id, "comment": "I refuse to pay"}
        for vals, context in (
            (dict(forged, origin="customer"), {}),
            (forged, {"default_origin": "customer"}),
            (dict(forged, date_opened=str(today - timedelta(days=400))), {}),
            (dict(forged, state="resolved", resolution="confirmed"), {}),
        ):
            with self.subTest(vals=vals, context=context):
                error = self._rpc_error("clerk.sec", "account.followup.dispute", "create", vals, context=context)
                self.assertIn("UserError", error or "", "refused")
                self.env.invalidate_all()
                self.assertFalse(Dispute.search([("move_id", "=", invoice.id)]))
                self.assertFalse(invoice.followup_in_dispute)
                self.assertFalse(
                    self.customer.message_ids.filtered(lambda m: "The customer disputes" in str(m.body)),
                    "nothing said in the customer's name",
                )
        dispute_id = self._rpc("clerk.sec", "account.followup.dispute", "create", forged)
        dispute = Dispute.browse(dispute_id)
        self.assertRecordValues(dispute, [{"origin": "user", "date_opened": today, "state": "open"}])
        for vals in (
            {"state": "resolved"},
            {"origin": "customer"},
            {"date_opened": str(today - timedelta(days=400))},
            {"date_resolved": str(today)},
        ):
            with self.subTest(vals=vals):
                error = self._rpc_error("clerk.sec", "account.followup.dispute", "write", [dispute_id], vals)
                self.assertIn("UserError", error or "", "refused")
                self.env.invalidate_all()
                self.assertRecordValues(
                    dispute, [{"origin": "user", "date_opened": today, "state": "open", "date_resolved": False}]
                )
                self.assertTrue(invoice.followup_in_dispute)
        # Resolved with its buttons: the outcome, the date, the activity closed.
        self._rpc("clerk.sec", "account.followup.dispute", "write", [dispute_id], {"resolution": "confirmed"})
        self._rpc("clerk.sec", "account.followup.dispute", "action_resolve", [dispute_id])
        self.env.invalidate_all()
        self.assertRecordValues(dispute, [{"state": "resolved", "date_resolved": today}])
        self.assertFalse(invoice.followup_in_dispute)
        self.assertFalse(dispute.activity_ids)
        self._rpc("clerk.sec", "account.followup.dispute", "action_reopen", [dispute_id])
        self.env.invalidate_all()
        self.assertRecordValues(dispute, [{"state": "open", "date_resolved": False}])

    def test_billing_user_cannot_rewrite_what_the_customer_wrote(self):
        """A dispute the customer opened on its page keeps the customer's words."""
        invoice = self._invoice(self.customer, 100, date.today() - timedelta(days=20))
        reason = self.env.ref("account_payment_followup.account_followup_dispute_reason_quality")
        # As the customer's page records it (see _followup_customer_dispute).
        dispute = (
            invoice.sudo()
            .with_company(invoice.company_id)
            ._followup_open_dispute(reason, "The goods arrived broken", origin="customer")
        )
        error = self._rpc_error(
            "clerk.sec", "account.followup.dispute", "write", dispute.ids, {"comment": "Customer agrees to pay"}
        )
        self.assertIn("UserError", error or "", "refused")
        self.env.invalidate_all()
        self.assertEqual(dispute.comment, "The goods arrived broken")
        # The clerk still settles it: its outcome and notes are the company's.
        self._rpc("clerk.sec", "account.followup.dispute", "write", dispute.ids, {"resolution": "confirmed"})
        self.env.invalidate_all()
        self.assertEqual(dispute.resolution, "confirmed")

    def test_billing_user_cannot_write_history_of_its_own(self):
        """The follow-up history is what was done: a clerk does a level (Done,
        Send & Print) and the server records it, as the clerk; a clerk never
        creates a step of its own over JSON-RPC, e.g. a formal notice "done by"
        a colleague or by the scheduled action."""
        today = date.today()
        self._invoice(self.customer, 100, today - timedelta(days=20))
        fake_step = {
            "partner_id": self.customer.id,
            "company_id": self.company.id,
            "level_id": self.level_notice.id,
            "date": str(today),
            "user_id": self.accountant.id,
            "automatic": True,
            "state": "done",
        }
        error = self._rpc_error("clerk.sec", "account.followup.step", "create", fake_step)
        self.assertIn("AccessError", error or "")
        step = self.env["account.followup.step"].search([], limit=1)
        row = {"step_id": step.id, "channel": "email", "state": "sent"} if step else {"channel": "email"}
        error = self._rpc_error("clerk.sec", "account.followup.step.channel", "create", row)
        self.assertIn("AccessError", error or "")
        self.env.invalidate_all()
        self.assertFalse(self.customer.followup_step_ids, "no step in the history")
        # Doing the level records it, as the clerk.
        self._rpc("clerk.sec", "res.partner", "action_followup_done", [self.customer.id])
        self.env.invalidate_all()
        step = self.customer.followup_step_ids
        self.assertEqual(len(step), 1)
        self.assertEqual((step.level_id, step.create_uid, step.user_id), (self.level_call, self.clerk, self.clerk))
