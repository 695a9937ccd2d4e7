from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.base.models.ir_qweb import QWebException

from .common import FollowupCommon


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
