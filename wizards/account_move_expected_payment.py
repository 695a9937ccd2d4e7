from odoo import _, fields, models


class AccountMoveExpectedPayment(models.TransientModel):
    """Record a promise to pay on invoices: the date the customer said it would
    pay (no follow-up before it) and an internal note."""

    _name = "account.move.expected.payment"
    _description = "Change expected payment date / note"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    expected_payment_date = fields.Date(help="No follow-up for these invoices before this date.")
    note = fields.Text(string="Internal Note")

    def action_apply(self):
        self.ensure_one()
        if self.expected_payment_date:
            # a promise to pay, on record (kept or broken once its date passes)
            self.move_ids._followup_promise(self.expected_payment_date, origin="user")
        else:
            self.move_ids.write({"expected_payment_date": False})
            self.move_ids._followup_cancel_promises()
        if self.note:
            self.move_ids.write({"followup_note": self.note})
        date = fields.Date.to_string(self.expected_payment_date) if self.expected_payment_date else _("none")
        for move in self.move_ids:
            body = _("Expected payment date: %(date)s", date=date)
            if self.note:
                body += "\n" + self.note
            move.message_post(body=body)
        return {"type": "ir.actions.act_window_close"}
