from odoo import api, models


class ReportFollowupLetter(models.AbstractModel):
    """The follow-up letters: the statements of all the customers printed are
    worked out together, with what each letter shows of the customer's
    statement page (the page created if missing), and given to the template,
    which renders them and writes nothing."""

    _name = "report.account_payment_followup.report_followup_letter"
    _description = "Payment Reminder Letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        followup = self.env["account.followup"]
        situations = followup._get_situations(self.env.company, partners.commercial_partner_id)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": {pid: situation.statement for pid, situation in situations.items()},
            # The 14-day notice of a consumer (see FollowupSituation.notice).
            "followup_notices": {pid: situation.notice for pid, situation in situations.items()},
            # A letter is printed: its payment QR codes are inlined.
            "followup_pages": {
                pid: situation.get_page_values(qr_image="base64") for pid, situation in situations.items()
            },
        }
