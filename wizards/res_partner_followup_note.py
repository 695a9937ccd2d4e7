from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date, plaintext2html

POSTPONE_DELTAS = {
    "1w": relativedelta(weeks=1),
    "2w": relativedelta(weeks=2),
    "1m": relativedelta(months=1),
    "2m": relativedelta(months=2),
}


class ResPartnerFollowupNote(models.TransientModel):
    """Log a note on a customer, and optionally postpone its follow-up: the
    customer's overdue invoices get an expected payment date (a promise to pay)."""

    _name = "res.partner.followup.note"
    _description = "Log a follow-up note"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade")
    note = fields.Text(required=True)
    postpone = fields.Selection(
        [
            ("none", "Do not postpone"),
            ("1w", "One week"),
            ("2w", "Two weeks"),
            ("1m", "One month"),
            ("2m", "Two months"),
            ("date", "Until a date"),
        ],
        string="Postpone Follow-up",
        default="none",
        required=True,
    )
    postpone_date = fields.Date(string="Until")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        help="The invoices whose follow-up is postponed. Empty: all the customer's overdue invoices.",
    )

    @api.onchange("postpone")
    def _onchange_postpone(self):
        self.postpone_date = self._get_postpone_date() if self.postpone not in ("none", "date") else False

    def _get_postpone_date(self):
        """The postponement date, counted from today."""
        self.ensure_one()
        if self.postpone == "date":
            return self.postpone_date
        if self.postpone in POSTPONE_DELTAS:
            return fields.Date.context_today(self) + POSTPONE_DELTAS[self.postpone]
        return False

    def action_apply(self):
        self.ensure_one()
        date = self._get_postpone_date()
        if self.postpone == "date" and not date:
            raise UserError(_("Choose the date until which the follow-up is postponed."))
        if date and date <= fields.Date.context_today(self):
            raise UserError(_("The follow-up can only be postponed to a date after today."))
        body = plaintext2html(self.note)
        partner = self.partner_id.commercial_partner_id
        if date:
            moves = self.move_ids or self._get_overdue_moves(partner)
            # a promise to pay, on record (kept or broken once its date passes)
            invoices = moves.filtered(
                lambda m: m.move_type in ("out_invoice", "out_receipt") and m.payment_state in ("not_paid", "partial")
            )
            invoices._followup_promise(date, origin="user")
            (moves - invoices).write({"expected_payment_date": date})
            body += Markup("<p>%s</p>") % _(
                "Follow-up postponed until %(date)s for %(invoices)s.",
                date=format_date(self.env, date),
                invoices=", ".join(moves.mapped("name")) or _("no invoice"),
            )
        partner.message_post(body=body, subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_window_close"}

    def _get_overdue_moves(self, partner):
        statement = self.env["account.followup"]._get_statement(partner, only_overdue=True)
        return self.env["account.move"].browse({line["move_id"] for line in statement["lines"]})
