from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _action_send_mail(self, auto_commit=False):
        """A payment reminder sent by a person executes the follow-up level
        that was due: it will not be proposed again."""
        result = super()._action_send_mail(auto_commit=auto_commit)
        level_id = self.env.context.get("followup_level_id")
        if level_id and self.model == "res.partner":
            level = self.env["account.followup.level"].browse(level_id)
            for partner in self.env["res.partner"].browse(self._evaluate_res_ids()):
                partner._followup_record_level(level)
        return result

    def _action_send_mail_comment(self, res_ids):
        """A payment reminder (follow-up subtype) written to a customer is
        posted through the follow-up's own method: billing users chase
        customers they may read but not edit (see res.partner
        ``_message_post_followup``). Everything else is Odoo's."""
        self.ensure_one()
        if self.model != "res.partner" or self.subtype_id != self.env.ref("account_payment_followup.mt_followup"):
            return super()._action_send_mail_comment(res_ids)
        messages = self.env["mail.message"]
        for res_id, post_values in self._prepare_mail_values(res_ids).items():
            messages += self.env["res.partner"].browse(res_id)._message_post_followup(**post_values)
        return messages
