from odoo import models


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _followup_sync_steps(self):
        """The follow-up step actions that posted these messages follow their
        notifications (see account.followup.step.channel)."""
        if not self.ids:
            return
        # The history is the system's record, updated by whoever brings the
        # news (the mail queue, the mail gateway, the SMS provider): sudo() to
        # find the actions of these messages (an indexed search), and only them.
        rows = self.env["account.followup.step.channel"].sudo().search([("message_id", "in", self.ids)])
        rows._sync_with_notifications()
