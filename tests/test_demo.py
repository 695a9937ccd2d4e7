from collections import Counter

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

from .common import print_one_shot_report


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    """The demo data loads cleanly and the follow-ups on it do the expected mix."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        if not cls.env["account.journal"].search_count([("company_id", "=", cls.company.id), ("type", "=", "sale")]):
            cls.env["account.chart.template"].try_loading("generic_coa", company=cls.company, install_demo=False)
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids))

    def _load_demo(self):
        with self.assertNoLogs("odoo", level="WARNING"):
            for path in ("demo/account_payment_followup_demo.xml", "demo/account_followup_plan_demo.xml"):
                convert_file(self.env, "account_payment_followup", path, {}, mode="init", kind="demo")

    def test_demo_has_a_year_of_history_for_the_analysis(self):
        self._load_demo()
        ref = self.env.ref
        effectiveness = self.env["account.followup.effectiveness.report"].read_group(
            [("company_id", "=", self.company.id)], ["amount", "share_7", "share_30"], ["level_id"], lazy=False
        )
        levels = {group["level_id"][1]: group for group in effectiveness}
        self.assertGreaterEqual(len(levels), 4, "steps of the reminders, the call and the second reminder")
        for name, group in levels.items():
            self.assertGreater(group["__count"], 5, name)
            self.assertGreater(group["amount"], 0, name)
            self.assertTrue(0 < group["share_30"] <= 100, (name, group["share_30"]))
        self.assertLess(min(group["share_7"] for group in levels.values()), 100, "some pay later than others")
        dso = self.env["account.followup.dso.report"].search_read(
            [("company_id", "=", self.company.id)], ["date", "dso", "credit_sales"]
        )
        self.assertGreaterEqual(len([row for row in dso if row["credit_sales"] > 0]), 12, "a year of monthly sales")
        self.assertTrue(all(0 <= row["dso"] < 200 for row in dso), [(row["date"], row["dso"]) for row in dso])
        statement = self.env["account.followup.statement"].get_statement(
            ref("account_payment_followup.partner_call_demo").id
        )
        self.assertGreaterEqual(len(statement["payment_behaviour"]), 6, "the customer's last paid invoices")
        # the history changes nothing to today's situations
        self.assertEqual(ref("account_payment_followup.partner_paid_demo").total_due, 0)

    def test_demo_covers_every_situation_and_the_run_does_the_expected_mix(self):
        self._load_demo()
        ref = self.env.ref
        partners = (
            self.env["res.partner"]
            .search([("name", "!=", False)])
            .filtered(lambda p: p.get_external_id()[p.id].startswith("account_payment_followup.partner_"))
        )
        self.assertGreaterEqual(len(partners.filtered("is_company")), 30)
        partners = partners.filtered("is_company")
        statuses = Counter(partners.with_company(self.company).mapped("followup_status"))
        self.assertEqual(statuses["in_need_of_action"], 23, {p.name: p.followup_status for p in partners})
        self.assertEqual(statuses["with_overdue_invoices"], 2)
        self.assertEqual(ref("account_payment_followup.partner_litigation_demo").followup_status, "no_action_needed")
        self.assertEqual(ref("account_payment_followup.partner_paid_demo").total_due, 0)
        self.assertEqual(ref("account_payment_followup.partner_credit_balanced_demo").total_due, 0)
        self.assertEqual(ref("account_payment_followup.partner_dutch_demo").lang, "nl_NL")
        self.assertEqual(ref("account_payment_followup.partner_spanish_demo").lang, "es_ES")
        self.assertEqual(
            ref("account_payment_followup.partner_manual_demo").followup_reminder_type,
            "manual",
        )

        report = {}
        followup = self.env["account.followup"].with_company(self.company)
        followup._execute_followups(self.company, report=report)
        done = report["done"]
        self.assertEqual(len(done), 24)
        self.assertFalse(report.get("errors"))
        emails = [
            outcome
            for entry in done
            for channel, outcome in entry["outcomes"]
            if channel.code == "email" and not outcome.reason
        ]
        self.assertEqual(len(emails), 11)
        # The Dutch customer's e-mail is Dutch to its header (Odoo's layout
        # translated too, as when Dutch is installed in Settings > Languages).
        dutch = ref("account_payment_followup.partner_dutch_demo")
        mail = self.env["mail.mail"].search([("recipient_ids", "in", dutch.ids)])
        self.assertEqual(len(mail), 1)
        self.assertIn("Je rekeningoverzicht", mail.body_html)
        self.assertNotIn("Your ", mail.body_html)
        skipped = {
            entry["partner"].name
            for entry in done
            for _channel, outcome in entry["outcomes"]
            if outcome.state == "skipped"
        }
        self.assertEqual(set(skipped), {"Quarry Stoneworks", "Vantage Media"})
        # The consumer follows the demo's "Consumers" plan: its friendly reminder, no fee.
        consumer = ref("account_payment_followup.partner_consumer_demo")
        self.assertEqual(consumer.followup_debtor_type, "consumer")
        consumer_step = self.env["account.followup.step"].search([("partner_id", "=", consumer.id)])
        self.assertEqual(consumer_step.level_id, ref("account_payment_followup.level_consumers_reminder_demo"))
        self.assertEqual(consumer_step.plan_id, ref("account_payment_followup.plan_consumers_demo"))
        self.assertFalse(consumer_step.charge_move_id)
        self.assertIn(
            "slipped your mind", self.env["mail.mail"].search([("recipient_ids", "in", consumer.ids)]).body_html
        )
        followup_type = self.env.ref("account_payment_followup.mail_activity_type_followup")
        proposals = self.env["mail.activity"].search([("followup_level_id", "!=", False)])
        self.assertEqual(proposals.activity_type_id, followup_type)
        self.assertEqual(len(proposals), 12, "a call or formal notice proposed for each")
        fix_data = self.env["mail.activity"].search([("summary", "like", "Fix the follow-up data")])
        self.assertEqual(
            set(fix_data.mapped("res_name")), {"Quarry Stoneworks", "Vantage Media"}, "asked to fix their data"
        )

        # The one-shot mode prints the same report.
        text = print_one_shot_report(self.company, report)
        self.assertIn("24 customer(s) processed", text)
        self.assertIn("skipped: e-mail (the customer has no e-mail address)", text)
        self.assertIn("e-mails: 11", text)
