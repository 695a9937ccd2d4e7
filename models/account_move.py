from markupsafe import Markup

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
    followup_step_id = fields.Many2one(
        "account.followup.step",
        string="Follow-up Step",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="This is the late-payment charges invoice of that follow-up step.",
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
        # Each reversal names the entry it reverses (whatever order account
        # returns them in, and whichever it did not create).
        for reverse in reverse_moves:
            move = reverse.reversed_entry_id
            if move in self and move.followup_step_id:
                move._followup_log_charges_reversal(reverse)
        return reverse_moves

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
                if name == "expected_payment_date" and move.followup_promise_ids.filtered(
                    lambda promise, date=new_value: promise.state == "open" and promise.date == date
                ):
                    continue  # a promise to pay, which tells it itself (who, when, which invoices)
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
        # Written by the server for a reversal the user was allowed to make.
        self.commercial_partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------
    # DISPUTES AND PROMISES
    # ------------------------------------------------------------

    def action_followup_open_dispute(self):
        """Open a dispute on this invoice (a form in a dialog)."""
        self.ensure_one()
        self.env["account.followup.dispute"].check_access_rights("create")
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
