from odoo import models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def write(self, vals):
        """Odoo updates a notification when its e-mail is sent, bounces or
        fails (mail.mail, the mail gateway), when its SMS is sent or refused
        (sms.sms) and when its letter is posted or refused (snailmail.letter):
        the follow-up history follows, for the reminders among them."""
        result = super().write(vals)
        if "notification_status" in vals:
            messages = self.mail_message_id.filtered(lambda m: m.model == "res.partner")
            if messages:
                # The history is the system's record: updated whoever delivers the news.
                rows = (
                    self.env["account.followup.step.channel"]
                    .sudo()
                    .search([("message_id", "in", messages.ids)])
                )
                rows._sync_with_notifications()
        return result
