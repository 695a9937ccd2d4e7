from datetime import date, timedelta

from odoo.tests import HttpCase, tagged

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestFormalNoticeTour(FollowupCommon, HttpCase):
    """Formal notice × Send & Print, in a browser: the dialog proposes the
    formal notice's own e-mail, and that is what the customer gets."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls._let_accountant_log_in(lang="en_US")
        cls.notice_customer = cls._create_customer("Notice Customer", "notice@tour.example.com")
        # 61 days late: the formal notice (60 days), proposed to a person
        cls._invoice(cls.notice_customer, 500, date.today() - timedelta(days=61))

    def test_formal_notice_tour(self):
        self.start_tour(
            f"/web#action=account_payment_followup.customer_statements&partner_id={self.notice_customer.id}",
            "account_payment_followup_formal_notice",
            login="anna.followup",
        )
        sent = self.notice_customer.message_ids.filtered(lambda m: m.message_type == "comment" and m.partner_ids)
        self.assertEqual(sent.mapped("subject"), [f"Formal notice of payment - {self.company.name}"])
        self.assertNotIn("Second payment reminder", str(sent.body))
