from odoo import Command
from odoo.tests import tagged

from .test_statements_tour import StatementsTourCommon


@tagged("post_install", "-at_install")
class TestLetterTour(StatementsTourCommon):
    """Send & Print with a letter on a company whose document layout was never
    configured, as its administrator (the one Odoo asks to configure it)."""

    def test_send_and_print_a_letter_without_a_document_layout(self):
        admin = self.env.ref("base.user_admin")
        admin.write(
            {
                "company_ids": [Command.link(self.company.id)],
                "company_id": self.company.id,
                "lang": "en_US",
            }
        )
        self.company.external_report_layout_id = False
        self.start_tour(
            f"/web#action=account_payment_followup.customer_statements&partner_id={self.late.id}",
            "account_payment_followup_letter",
            login="admin",
        )
        step = self.late.with_company(self.company).followup_step_ids
        letter = step.channel_ids.filtered(lambda row: row.channel == "letter")
        self.assertEqual(letter.mapped("state"), ["sent"], "recorded once, with the letter produced")
        self.assertEqual(letter.res_model, "ir.attachment")
        self.assertTrue(self.env["ir.attachment"].browse(letter.res_id).raw)
        self.assertFalse(self.company.external_report_layout_id, "nobody was asked to configure it")
