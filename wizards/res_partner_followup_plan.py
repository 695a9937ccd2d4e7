from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class ResPartnerFollowupPlan(models.TransientModel):
    """Plan the next reminder of a customer by hand: the customer switches to
    manual mode and is proposed again on that date."""

    _name = "res.partner.followup.plan"
    _description = "Plan the next reminder"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade")
    date = fields.Date(string="Next Reminder", required=True)
    note = fields.Text()

    def action_apply(self):
        self.ensure_one()
        if self.date < fields.Date.context_today(self):
            raise UserError(_("The next reminder cannot be planned in the past."))
        partner = self.partner_id.commercial_partner_id
        partner._followup_write({"followup_reminder_type": "manual", "followup_planned_date": self.date})
        body = _("Next reminder planned for %s (manual follow-up).", format_date(self.env, self.date))
        if self.note:
            body += "\n" + self.note
        partner._message_post_followup(body=body, subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_window_close"}
