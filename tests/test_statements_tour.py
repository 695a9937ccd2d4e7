from datetime import date, timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import FollowupCommon


class StatementsTourCommon(FollowupCommon, HttpCase):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls._let_accountant_log_in(lang="en_US")
        cls.late = cls._create_customer("Tour Late Customer", "late@tour.example.com")
        cls.late.with_company(cls.company).followup_responsible_id = cls.accountant
        cls.early = cls._create_customer("Tour Early Customer", "early@tour.example.com")
        cls.today = date.today()
        cls.litigation = cls._invoice(cls.late, 300, cls.today - timedelta(days=20))
        cls.litigation.ref = "Litigation"
        cls.unpaid = cls._invoice(cls.late, 100, cls.today - timedelta(days=20))
        cls.unpaid.ref = "Unpaid"
        cls._invoice(cls.early, 50, cls.today, term=cls.term_30)
        # a past reminder, so that the statement lists its past follow-ups
        cls.env["account.followup.step"].sudo().create(
            {
                "partner_id": cls.late.id,
                "company_id": cls.company.id,
                "level_id": cls.level_before.id,
                "date": cls.today - timedelta(days=5),
                "user_id": cls.accountant.id,
                "channel_ids": [Command.create({"channel": "email", "state": "sent"})],
            }
        )


@tagged("post_install", "-at_install")
class TestStatementsTour(StatementsTourCommon):
    """The accountant's weekly work, in a browser."""

    def _expected_date_logs(self, move):
        return self.late.message_ids.filtered(
            # an expected date is recorded as a promise to pay, logged once
            lambda m: move.name in str(m.body) and "Promise to pay" in str(m.body)
        )

    def test_statements_tour(self):
        self.start_tour(
            "/web#action=account_payment_followup.action_customer_statements",
            "account_payment_followup_statements",
            login="anna.followup",
        )
        self.assertTrue(self.litigation.followup_excluded)
        self.assertFalse(self.unpaid.followup_excluded)
        self.assertEqual(self.late.trust, "bad")
        note = self.late.message_ids.filtered(lambda m: "Promised to pay next week" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertIn(self.unpaid.name, str(note.body))
        # The typed date, saved once: the note's postponement, then the typed date; no keystroke saved.
        self.assertEqual(self.unpaid.expected_payment_date, self.today + timedelta(days=60))
        logs = self._expected_date_logs(self.unpaid)
        self.assertEqual(len(logs), 2, logs.mapped("body"))
        mail = self.late.message_ids.filtered(lambda m: "A personal word" in str(m.body))
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.partner_ids, self.late)
        trust_logs = self.late.message_ids.filtered(lambda m: "Trust:" in str(m.body))
        self.assertEqual(len(trust_logs), 1)
        self.assertEqual(trust_logs.create_uid, self.accountant)

    def test_navigation_from_the_aged_receivable_and_by_url(self):
        self.start_tour(
            "/web#action=account_payment_followup.account_followup_aged_receivable_action",
            "account_payment_followup_statements_navigation",
            login="anna.followup",
        )
        self.start_tour(
            f"/web#action=account_payment_followup.customer_statements&partner_id={self.late.id}",
            "account_payment_followup_statements_url",
            login="anna.followup",
        )

    def test_last_followup_proposed_by_the_scheduled_action(self):
        """A level only proposed (a call to make) is not shown as done: the
        statement says it is in progress, by the scheduled action; the pager
        stays on one line."""
        self.env["account.followup.step"].sudo().create(
            {
                "partner_id": self.late.id,
                "company_id": self.company.id,
                "level_id": self.level_call.id,
                "date": self.today,
                "user_id": self.env.ref("base.user_root").id,
                "automatic": True,
                "state": "in_progress",
                "channel_ids": [Command.create({"channel": "manual", "state": "to_do"})],
            }
        )
        self.start_tour(
            "/web#action=account_payment_followup.action_customer_statements",
            "account_payment_followup_statements_last_followup",
            login="anna.followup",
        )


@tagged("post_install", "-at_install")
class TestStatementsPhoneTour(StatementsTourCommon):
    """At a phone's width (390 px) nothing scrolls sideways."""

    touch_enabled = True

    def authenticate(self, user, password, browser=None):
        session = super().authenticate(user, password, browser=browser)
        if browser:
            # Headless Chromium keeps windows at least 500 px wide: emulate the
            # phone's screen instead, as Chrome's device toolbar does.
            browser._websocket_request(
                "Emulation.setDeviceMetricsOverride",
                params={"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
            )
        return session

    def test_statements_on_a_phone(self):
        self.start_tour(
            "/web#action=account_payment_followup.action_customer_statements",
            "account_payment_followup_statements_phone",
            login="anna.followup",
        )
