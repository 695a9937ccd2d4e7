from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        """Once Odoo knows whether an e-mail was sent or failed (and why), the
        follow-up step that sent it says so."""
        # Read first: the mails (and their messages) may be deleted once sent.
        # Sent on behalf of users who may not read mail.mail: which message a
        # mail carries, nothing else.
        message_ids = self.sudo().exists().mail_message_id.ids
        result = super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
        self.env["mail.message"].browse(message_ids)._followup_sync_steps()
        return result
