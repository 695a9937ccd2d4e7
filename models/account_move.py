from odoo import _, api, fields, models
from odoo.exceptions import UserError
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

    # Disputes and promises (see account.followup.dispute / .promise)
    followup_in_dispute = fields.Boolean(
        string="In Dispute",
        copy=False,
        readonly=True,
        help="The customer disputes this invoice: it is not chased until the dispute is resolved.",
    )
    followup_dispute_ids = fields.One2many("account.followup.dispute", "move_id", string="Disputes")
    followup_promise_ids = fields.One2many("account.followup.promise", "move_id", string="Promises to Pay")

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

    # ------------------------------------------------------------
    # DISPUTES AND PROMISES
    # ------------------------------------------------------------

    def action_followup_open_dispute(self):
        """Open a dispute on this invoice (a form in a dialog)."""
        self.ensure_one()
        self._followup_check_open_invoices()
        return self.env["account.followup.dispute"]._get_open_form_action(move=self)

    def action_followup_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_payment_followup.account_followup_dispute_action"
        )
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {"default_move_id": self.id}
        return action

    def _followup_check_open_invoices(self):
        """Promises and disputes are about posted customer invoices with
        something left to pay."""
        for move in self:
            if (
                move.move_type not in ("out_invoice", "out_receipt")
                or move.state != "posted"
                or move.payment_state not in ("not_paid", "partial")
            ):
                raise UserError(
                    _("%(invoice)s is not an open customer invoice.", invoice=move.display_name or move.name)
                )

    def _followup_promise(self, date, origin="user"):
        """Record a promise to pay these invoices by ``date``: they are not
        chased before it (their expected payment date), the promise is on record
        and told in the customer's chatter; a promise made by the customer asks
        the follow-up responsible to take note.

        :param origin: "customer" (from the portal: limited to the company's
            maximum number of days, and after two promises of an invoice that
            were not kept, no more) or "user" (a person records it)
        :return: the promises (account.followup.promise)
        """
        if not self:
            return self.env["account.followup.promise"]
        date = fields.Date.to_date(date)
        today = fields.Date.context_today(self)
        if not date:
            raise UserError(_("Choose the date by which the invoice will be paid."))
        if date < today:
            raise UserError(_("A promise to pay is for today or a later date."))
        self._followup_check_open_invoices()
        Promise = self.env["account.followup.promise"]
        # Judge what can be judged first: a promise whose date passed is broken.
        Promise._followup_check_promises(moves=self, today=today)
        if origin == "customer":
            self._followup_check_customer_promise(date, today)
        promises = Promise
        for move in self:
            move.followup_promise_ids.filtered(lambda p: p.state == "open").sudo().write(
                {"state": "cancelled", "date_closed": today}
            )
            promises |= Promise.sudo().create(
                {
                    "move_id": move.id,
                    "date": date,
                    "made_on": today,
                    "origin": origin,
                    "amount": move.amount_residual,
                }
            )
        self.write({"expected_payment_date": date})
        for (company, partner), partner_promises in promises._followup_group_by_customer().items():
            partner.with_company(company)._followup_notify_promise(partner_promises, origin)
        return promises.sudo(False)

    def _followup_check_customer_promise(self, date, today):
        """The limits of a promise made by the customer itself."""
        for company, moves in self.grouped("company_id").items():
            max_days = company.followup_promise_max_days
            if max_days and (date - today).days > max_days:
                raise UserError(
                    _(
                        "You can promise to pay within %(days)s days, by %(date)s at the latest. "
                        "Please contact us for a later date.",
                        days=max_days,
                        date=format_date(self.env, fields.Date.add(today, days=max_days)),
                    )
                )
            for move in moves:
                lapsed = move.followup_promise_ids.filtered(lambda p: p.state == "broken")
                if len(lapsed) >= 2:
                    raise UserError(
                        _(
                            "You already promised twice to pay %(invoice)s and the dates have passed: "
                            "a new date cannot be promised online. Please contact us.",
                            invoice=move.name,
                        )
                    )

    def _followup_cancel_promises(self):
        """The expected payment date was removed: the pending promises are withdrawn."""
        pending = self.followup_promise_ids.filtered(lambda p: p.state == "open")
        if pending:
            pending.sudo().write({"state": "cancelled", "date_closed": fields.Date.context_today(self)})
        return pending

    def _followup_get_paid_date(self):
        """The day the invoice's receivable was last reconciled (paid), or False."""
        self.ensure_one()
        receivables = self.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        dates = (receivables.matched_credit_ids | receivables.matched_debit_ids).mapped("max_date")
        return max(dates) if dates else False

    def _followup_open_dispute(self, reason, comment="", origin="user"):
        """Open a dispute on each of these invoices: they are not chased until
        it is resolved; the owner gets an activity, the customer's chatter
        tells it.

        :param reason: an account.followup.dispute.reason (record or id)
        :param origin: "customer" (portal) or "user"
        :return: the disputes
        """
        self._followup_check_open_invoices()
        for move in self.filtered("followup_in_dispute"):
            raise UserError(_("%(invoice)s is already in dispute.", invoice=move.name))
        reason_id = reason.id if isinstance(reason, models.BaseModel) else reason
        if not reason_id:
            raise UserError(_("Choose the reason of the dispute."))
        return self.env["account.followup.dispute"].create(
            [{"move_id": move.id, "reason": reason_id, "comment": comment or False, "origin": origin} for move in self]
        )

    def _followup_set_dispute_flag(self):
        """Keep ``followup_in_dispute`` in line with the open disputes."""
        disputed = (
            self.env["account.followup.dispute"]
            .sudo()
            .search([("move_id", "in", self.ids), ("state", "=", "open")])
            .move_id
        )
        for move in self.sudo():
            in_dispute = move in disputed
            if move.followup_in_dispute != in_dispute:
                move.followup_in_dispute = in_dispute
