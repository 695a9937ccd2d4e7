from datetime import date, timedelta

from odoo.tests import HttpCase, tagged

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestConversationTour(FollowupCommon, HttpCase):
    """Disputes, promises and replies on the Customer statements screen, in a browser."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls._let_accountant_log_in()
        cls.talking = cls._create_customer("Tour Talking Customer", "talking@tour.example.com")
        cls.talking.followup_responsible_id = cls.accountant
        today = date.today()
        cls.disputed = cls._invoice(cls.talking, 300, today - timedelta(days=20))
        cls.disputed.ref = "Quality issue"
        cls.disputed._followup_open_dispute(
            cls.env.ref("account_payment_followup.account_followup_dispute_reason_quality"), "Scratched"
        )
        cls.promised = cls._invoice(cls.talking, 100, today - timedelta(days=20))
        cls.promised.ref = "Promised invoice"
        cls.env["account.followup.promise"].sudo().create(
            [{"move_id": cls.promised.id, "date": today - timedelta(days=days), "state": "broken"} for days in (10, 3)]
        )
        cls.talking.followup_paused_until = today + timedelta(days=5)

    def test_conversation_tour(self):
        self.start_tour(
            "/web#action=account_payment_followup.action_customer_statements",
            "account_payment_followup_conversation",
            login="anna.followup",
        )
        self.assertFalse(self.talking.followup_paused_until)
        self.assertEqual(self.talking.trust, "bad")
        dispute = self.promised.followup_dispute_ids
        self.assertEqual(dispute.reason.name, "Wrong amount")
        self.assertEqual(dispute.user_id, self.accountant)
        self.assertTrue(self.promised.followup_in_dispute)
