from odoo import fields, models


class AccountFollowupDisputeReason(models.Model):
    """Why a customer disputes an invoice: a short list each company can edit
    (shared by all companies when it has none)."""

    _name = "account.followup.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Empty: offered to every company.",
    )
