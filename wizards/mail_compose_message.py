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
