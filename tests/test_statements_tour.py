from datetime import date, timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestStatementsTour(FollowupCommon, HttpCase):
    """The accountant's weekly work, in a browser."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.accountant.write(
            {
                "password": "anna.followup",
                "groups_id": [Command.link(cls.env.ref("base.group_user").id)],
            }
        )
        cls.late = cls._create_customer("Tour Late Customer", "late@tour.example.com")
        cls.early = cls._create_customer("Tour Early Customer", "early@tour.example.com")
        cls.today = date.today()
        cls.litigation = cls._invoice(cls.late, 300, cls.today - timedelta(days=20))
        cls.litigation.ref = "Litigation"
        cls.unpaid = cls._invoice(cls.late, 100, cls.today - timedelta(days=20))
        cls._invoice(cls.early, 50, cls.today, term=cls.term_30)

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
        self.assertTrue(self.unpaid.expected_payment_date)
        self.assertGreater(self.unpaid.expected_payment_date, self.today)
        mail = self.late.message_ids.filtered(lambda m: "A personal word" in str(m.body))
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.partner_ids, self.late)
