from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestStatements(FollowupCommon):
    """The server methods of the Customer statements screen, with their rights."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.reader = cls.env["res.users"].create(
            {
                "name": "Rita Reader",
                "login": "rita.followup",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [
                    Command.set([cls.env.ref("account.group_account_readonly").id, cls.env.ref("base.group_user").id])
                ],
            }
        )
        cls.employee = cls.env["res.users"].create(
            {
                "name": "Eve Employee",
                "login": "eve.followup",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set([cls.env.ref("base.group_user").id])],
            }
        )
        cls.late = cls._create_customer("Late Customer", "late@example.com", mobile="0470 12 34 56")
        cls.overdue_only = cls._create_customer("Promised Customer", "promised@example.com", mobile="12")
        cls.early = cls._create_customer("Early Customer", "early@example.com")
        cls.late_invoice = cls._invoice(cls.late, 100, "2026-01-01")
        cls._invoice(cls.overdue_only, 100, "2026-01-01").expected_payment_date = "2026-03-01"
        cls._invoice(cls.early, 100, "2026-02-01", term=cls.term_30)
        other_company = cls.company_data_2["company"]
        cls.foreign = cls._create_customer("Other Company Customer", "other@example.com")
        cls._invoice(cls.foreign, 100, "2026-01-01", company=other_company)

    def _statements(self, user=None):
        return self.env["account.followup.statement"].with_user(user or self.accountant)

    def _names(self, result):
        return [row["name"] for row in result["customers"]]

    @freeze_time("2026-02-10")
    def test_filters_and_order(self):
        need = self._statements().get_customers("action")
        self.assertIn("Late Customer", self._names(need))
        self.assertNotIn("Promised Customer", self._names(need))
        overdue = self._statements().get_customers("overdue")
        self.assertEqual(self._names(overdue)[0], "Late Customer", "in need of action first")
        self.assertIn("Promised Customer", self._names(overdue))
        self.assertNotIn("Early Customer", self._names(overdue))
        everyone = self._statements().get_customers("all")
        self.assertIn("Early Customer", self._names(everyone))
        row = next(row for row in everyone["customers"] if row["name"] == "Late Customer")
        self.assertEqual(row["level"], self.level_second.name)
        self.assertIn("100.00", row["total_overdue"])

    @freeze_time("2026-02-10")
    def test_search_and_pager(self):
        result = self._statements().get_customers("all", search="promised")
        self.assertEqual(self._names(result), ["Promised Customer"])
        result = self._statements().get_customers("all", search=self.level_second.name)
        self.assertIn("Late Customer", self._names(result))
        first = self._statements().get_customers("all", offset=0, limit=1)
        second = self._statements().get_customers("all", offset=1, limit=1)
        self.assertEqual(first["total"], second["total"])
        self.assertGreaterEqual(first["total"], 3)
        self.assertNotEqual(self._names(first), self._names(second))

    @freeze_time("2026-02-10")
    def test_customer_of_another_company_never_appears(self):
        for filter_name in ("action", "overdue", "all"):
            self.assertNotIn("Other Company Customer", self._names(self._statements().get_customers(filter_name)))

    @freeze_time("2026-02-10")
    def test_statement_of_one_customer(self):
        statement = self._statements().get_statement(self.late.id)
        self.assertEqual(statement["status"], "in_need_of_action")
        self.assertEqual(statement["level"]["name"], self.level_second.name)
        self.assertTrue(statement["level"]["due"])
        self.assertEqual(len(statement["lines"]), 1)
        line = statement["lines"][0]
        self.assertEqual(line["move_id"], self.late_invoice.id)
        self.assertEqual(line["days_late"], 40)
        self.assertFalse(line["excluded"])
        self.assertEqual(statement["phones"][0]["display"], "+32 470 12 34 56")
        self.assertEqual(statement["phones"][0]["link"], "tel:+32470123456")
        self.assertTrue(statement["can_edit"])
        promised = self._statements().get_statement(self.overdue_only.id)
        self.assertFalse(promised["phones"][0]["valid"], "an invalid number is shown as typed")
        self.assertEqual(promised["phones"][0]["display"], "12")
        self.assertEqual(promised["lines"][0]["expected_date"], "2026-03-01")

    @freeze_time("2026-02-10")
    def test_statement_even_when_nothing_is_due(self):
        nobody = self._create_customer("Nothing Due", "nothing@example.com")
        statement = self._statements().get_statement(nobody.id)
        self.assertEqual(statement["lines"], [])
        self.assertEqual(statement["status"], "no_action_needed")
        action = nobody.action_followup_open_statement()
        self.assertEqual(action["tag"], "account_payment_followup.customer_statements")
        self.assertEqual(action["params"]["partner_id"], nobody.id)

    @freeze_time("2026-02-10")
    def test_changes_in_place(self):
        statements = self._statements()
        statements.set_trust(self.late.id, "bad")
        self.assertEqual(self.late.trust, "bad")
        statements.set_excluded(self.late_invoice.id, True)
        self.assertTrue(self.late_invoice.followup_excluded)
        self.late.invalidate_recordset()
        self.assertEqual(self.late.followup_status, "no_action_needed")
        statements.set_excluded(self.late_invoice.id, False)
        statements.set_expected_date(self.late_invoice.id, "2026-02-20")
        self.assertEqual(str(self.late_invoice.expected_payment_date), "2026-02-20")
        self.late.invalidate_recordset()
        self.assertEqual(self.late.followup_status, "with_overdue_invoices")

    @freeze_time("2026-02-10")
    def test_send_sms_and_emails_to_several_customers(self):
        action = self.late.with_user(self.accountant).action_followup_send()
        dialog = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
        self._choose_channels(dialog, email=False, letter=False, sms=True)
        self.assertIn("overdue", dialog.sms_body, "the SMS text is shown before sending")
        dialog.sms_body = "Please pay invoice INV/1, thank you."
        result = dialog.save().action_send()
        sms = self.env["sms.sms"].search([("number", "=", "+32470123456")])
        self.assertEqual(sms.body, "Please pay invoice INV/1, thank you.", "the edited text is sent")
        message = result["params"]["message"]
        if sms.state == "error":
            # No SMS provider here: the real outcome is told, not "sent".
            self.assertEqual(result["params"]["type"], "warning")
            self.assertNotIn("SMS sent", message)
        action = (self.late | self.early).with_user(self.accountant).action_followup_send()
        dialog = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
        self.assertIn("email", self._chosen_channels(dialog))
        self._choose_channels(dialog, letter=False)
        action = dialog.save().action_send()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(action["params"]["message"], "2 e-mails queued.")
        self.assertEqual(len(self._followup_mails(self.late)), 1)
        self.assertEqual(len(self._followup_mails(self.early)), 1)
        # The 35-day level also asks for a letter and a call: sending the e-mail
        # alone does not make the level done.
        step = self.late.followup_step_ids
        self.assertEqual(len(step), 1)
        self.assertEqual(step.state, "in_progress")
        outcomes = {row.channel: row.state for row in step.channel_ids}
        self.assertEqual(outcomes["email"], "queued")
        self.assertEqual(outcomes["letter"], "to_do")
        self.assertEqual(outcomes["manual"], "to_do")
        self.assertIn(outcomes["sms"], ("sent", "queued", "failed"))
        self.late.invalidate_recordset()
        self.assertEqual(self.late.followup_status, "in_need_of_action")
        # The accountant says the level is done: what was not done is recorded so.
        self.late.with_user(self.accountant).action_followup_done()
        self.assertEqual(step.state, "done")
        self.assertEqual(step.channel_ids.filtered(lambda c: c.channel == "letter").state, "skipped")
        self.late.invalidate_recordset()
        self.assertEqual(self.late.followup_status, "with_overdue_invoices", "the due level is recorded")

    @freeze_time("2026-02-10")
    def test_read_only_user_sees_but_cannot_change(self):
        result = self._statements(self.reader).get_customers("action")
        self.assertIn("Late Customer", self._names(result))
        self.assertFalse(result["can_edit"])
        self.assertFalse(self._statements(self.reader).get_statement(self.late.id)["can_edit"])
        with self.assertRaises(AccessError):
            self._statements(self.reader).set_trust(self.late.id, "bad")
        with self.assertRaises(AccessError):
            self._statements(self.reader).set_excluded(self.late_invoice.id, True)
        with self.assertRaises(AccessError):
            self.late.with_user(self.reader).action_followup_send()
        self.assertFalse(self.late_invoice.followup_excluded)

    @freeze_time("2026-02-10")
    def test_user_without_accounting_rights_is_refused(self):
        with self.assertRaises(AccessError):
            self._statements(self.employee).get_customers("action")
        with self.assertRaises(AccessError):
            self._statements(self.employee).get_statement(self.late.id)

    def test_aged_receivable_columns_and_statement(self):
        # The view ages items against the database's date: invoices relative to it.
        today = date.today()
        aged = self._create_customer("Aged Customer", "aged@example.com")
        for days, amount in ((0, 1), (10, 2), (45, 4), (75, 8), (100, 16), (200, 32)):
            self._invoice(aged, amount, today - timedelta(days=days))
        self._invoice(aged, 64, today, term=self.term_30)
        Aged = self.env["account.followup.aged.receivable"].with_user(self.accountant)
        row = Aged.search([("partner_id", "=", aged.id)])
        self.assertEqual(
            (row.not_due, row.days_1_30, row.days_31_60, row.days_61_90, row.days_91_120, row.older),
            (65, 2, 4, 8, 16, 32),
        )
        self.assertEqual(row.total, 127)
        totals = Aged.read_group([("partner_id", "=", aged.id)], ["total:sum"], [])
        self.assertEqual(totals[0]["total"], 127)
        self.assertFalse(Aged.search([("partner_id", "=", self.foreign.id)]), "another company's receivable")
        action = row.action_open_statement()
        self.assertEqual(action["params"]["partner_id"], aged.id)
