from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    followup_level_id = fields.Many2one(
        "account.followup.level",
        string="Follow-up Level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The last follow-up level this item received: it never receives it, or a lower one, again.",
    )
    followup_date = fields.Date(
        string="Last Follow-up",
        copy=False,
        readonly=True,
    )
