from odoo import _, api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    followup_excluded = fields.Boolean(
        string="Excluded from Follow-ups",
        compute="_compute_followup_excluded",
        inverse="_inverse_followup_excluded",
        store=True,
        tracking=True,
        help="Never chase this invoice (litigation...). Same as “No Follow-up” on its receivable items.",
    )
    expected_payment_date = fields.Date(
        tracking=True,
        copy=False,
        help="Promise to pay: the invoice is not chased before this date.",
    )
    followup_note = fields.Text(
        string="Follow-up Internal Note",
        copy=False,
        help="Internal note about the payment of this invoice (not sent to the customer).",
    )

    @api.depends("line_ids.blocked")
    def _compute_followup_excluded(self):
        for move in self:
            receivables = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            move.followup_excluded = bool(receivables) and all(receivables.mapped("blocked"))

    def _inverse_followup_excluded(self):
        for move in self:
            receivables = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            receivables.write({"blocked": move.followup_excluded})

    def action_open_expected_payment_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Change expected payment date / note"),
            "res_model": "account.move.expected.payment",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }
