from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import format_date


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
    followup_step_id = fields.Many2one(
        "account.followup.step",
        string="Follow-up Step",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="This is the late-payment charges invoice of that follow-up step.",
    )

    _sql_constraints = [
        (
            "followup_step_unique",
            "UNIQUE(followup_step_id)",
            "A follow-up step has one late-payment charges invoice, never two.",
        ),
    ]

    @api.depends("line_ids.blocked")
    def _compute_followup_excluded(self):
        for move in self:
            receivables = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            move.followup_excluded = bool(receivables) and all(receivables.mapped("blocked"))

    def _inverse_followup_excluded(self):
        for move in self:
            receivables = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            receivables.write({"blocked": move.followup_excluded})

    def _reverse_moves(self, default_values_list=None, cancel=False):
        """A late-payment charges invoice may be reversed (the charges are waived):
        say so, and who did it, in the customer's chatter."""
        reverse_moves = super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)
        for move, reverse in zip(self, reverse_moves, strict=True):
            if move.followup_step_id:
                move._followup_log_charges_reversal(reverse)
        return reverse_moves

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

    def _followup_log_charges_reversal(self, reverse):
        self.ensure_one()
        body = Markup("<p>%s</p>") % _(
            "The late-payment charges %(invoice)s (follow-up “%(level)s” of %(date)s) were reversed by "
            "%(credit_note)s, by %(user)s.",
            invoice=self._get_html_link(title=self.name),
            level=self.followup_step_id.level_id.name,
            date=format_date(self.env, self.followup_step_id.date),
            credit_note=reverse._get_html_link(title=reverse.name or _("a credit note")),
            user=self.env.user.name,
        )
        self.commercial_partner_id.message_post(body=body, subtype_xmlid="mail.mt_note")
