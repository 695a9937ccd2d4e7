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
    followup_interest_rate = fields.Float(related="company_id.followup_interest_rate", readonly=False)
    followup_interest_type = fields.Selection(related="company_id.followup_interest_type", readonly=False)
    followup_statutory_margin = fields.Float(related="company_id.followup_statutory_margin", readonly=False)
    followup_statutory_round_up = fields.Boolean(related="company_id.followup_statutory_round_up", readonly=False)
    followup_consumer_interest_rate = fields.Float(related="company_id.followup_consumer_interest_rate", readonly=False)
    followup_collection_costs_vat = fields.Boolean(related="company_id.followup_collection_costs_vat", readonly=False)
    followup_compensation_amount = fields.Monetary(related="company_id.followup_compensation_amount", readonly=False)
    followup_fee_product_id = fields.Many2one(related="company_id.followup_fee_product_id", readonly=False)
    followup_interest_product_id = fields.Many2one(related="company_id.followup_interest_product_id", readonly=False)
    followup_compensation_product_id = fields.Many2one(
        related="company_id.followup_compensation_product_id", readonly=False
    )
    followup_collection_costs_product_id = fields.Many2one(
        related="company_id.followup_collection_costs_product_id", readonly=False
    )
    followup_charges_auto_post = fields.Boolean(related="company_id.followup_charges_auto_post", readonly=False)
    followup_promise_max_days = fields.Integer(related="company_id.followup_promise_max_days", readonly=False)
    followup_reply_pause_days = fields.Integer(related="company_id.followup_reply_pause_days", readonly=False)
