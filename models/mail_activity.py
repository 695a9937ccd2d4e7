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
        """Marking a follow-up activity done completes its action in the
        follow-up history (and the step when nothing else is left to do)."""
        followups = self.filtered(lambda a: a.followup_level_id and a.res_model == "res.partner")
        # The responsible who did the action may be a salesperson without
        # accounting rights: recording it is the system's job.
        rows = (
            self.env["account.followup"].sudo()._get_activity_channels(followups)
            if followups
            else self.env["account.followup.step.channel"]
        )
        user = self.env.user
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if rows:
            # The history's bookkeeping is the system's (sudo); the step becomes
            # the user's and its late-payment charges are invoiced with the
            # user's own rights (see _complete_channels).
            self.env["account.followup"].sudo()._complete_channels(rows, user)
        return result
