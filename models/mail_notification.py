from odoo import models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def write(self, vals):
        """Odoo updates a notification when its e-mail is sent or bounces
        (mail.mail, the mail gateway), when its SMS is sent or refused (sms.sms)
        and when its letter is posted or refused (snailmail.letter): the
        follow-up history follows, for the reminders among them."""
        result = super().write(vals)
        status = vals.get("notification_status")
        # mail.mail marks its notifications failed while it sends, before it
        # knows: the e-mail's outcome is taken when it knows (mail.mail
        # _postprocess_sent_message).
        if status and not (status == "exception" and set(self.mapped("notification_type")) == {"email"}):
            self.mail_message_id._followup_sync_steps()
        return result
