from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    followup_level_id = fields.Many2one(
        "account.followup.level",
        string="Follow-up Level",
        ondelete="set null",
        help="The follow-up level this activity does, for a customer.",
    )

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking a follow-up activity done executes its level for the customer."""
        followups = self.filtered(lambda a: a.followup_level_id and a.res_model == "res.partner")
        todo = [(activity.res_id, activity.followup_level_id) for activity in followups]
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        # The responsible who did the action may be a salesperson without
        # accounting rights: recording the level is the system's job.
        for partner_id, level in todo:
            partner = self.env["res.partner"].sudo().with_company(level.company_id).browse(partner_id)
            if (
                partner.exists()
                and partner.followup_level_id == level
                and partner.followup_status == "in_need_of_action"
            ):
                partner._followup_record_level(level)
        return result
