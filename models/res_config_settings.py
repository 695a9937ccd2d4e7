from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    payment_followup_enabled = fields.Boolean(
        related="company_id.payment_followup_enabled",
        readonly=False,
    )
    followup_default_responsible_id = fields.Many2one(
        related="company_id.followup_default_responsible_id",
        readonly=False,
    )
    followup_max_emails = fields.Integer(related="company_id.followup_max_emails", readonly=False)
    followup_test_email = fields.Char(related="company_id.followup_test_email", readonly=False)
    followup_promise_max_days = fields.Integer(related="company_id.followup_promise_max_days", readonly=False)
    followup_reply_pause_days = fields.Integer(related="company_id.followup_reply_pause_days", readonly=False)
