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

    @api.depends("line_ids.blocked")
    def _compute_followup_excluded(self):
        for move in self:
            receivables = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            move.followup_excluded = bool(receivables) and all(receivables.mapped("blocked"))

    def _inverse_followup_excluded(self):
        for move in self:
            receivables = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            receivables.write({"blocked": move.followup_excluded})

    def write(self, vals):
        logged = [name for name in ("followup_excluded", "expected_payment_date") if name in vals]
        old = {move: {name: move[name] for name in logged} for move in self} if logged else {}
        res = super().write(vals)
        if old:
            self._log_followup_changes(old)
        return res

    def _log_followup_changes(self, old):
        """Log a change of exclusion or of expected payment date on the
        customer's chatter, where the follow-up is worked: the author is who
        changed it; one message per customer, one line per invoice and field."""
        lines_by_partner = {}
        for move, before in old.items():
            for name, old_value in before.items():
                new_value = move[name]
                if new_value == old_value:
                    continue
                line = _(
                    "%(invoice)s: %(what)s %(old)s → %(new)s",
                    invoice=move.name or move.display_name,
                    what=self._fields[name].get_description(self.env)["string"],
                    old=self._format_followup_value(name, old_value),
                    new=self._format_followup_value(name, new_value),
                )
                lines_by_partner.setdefault(move.commercial_partner_id, []).append(line)
        for partner, lines in lines_by_partner.items():
            if not partner:
                continue
            body = Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % line for line in lines)
            # Written by the server for a change the user was allowed to make
            # on the invoice; users who may not edit contacts post this way too.
            partner.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    def _format_followup_value(self, name, value):
        if name == "followup_excluded":
            return _("yes") if value else _("no")
        return format_date(self.env, value) if value else _("none")

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
