from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date, plaintext2html

AGE_BUCKETS = [
    ("0_30", "0-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("90_plus", "Over 90 days"),
]
# What the server records of a dispute, never a person's input: who opened it
# (the customer, on its statement page), when, and whether it is resolved (the
# dispute's buttons). Written in superuser mode only.
SERVER_FIELDS = ("origin", "date_opened", "state", "date_resolved")


class AccountFollowupDispute(models.Model):
    """A customer disputes an invoice: while the dispute is open the invoice is
    not chased (its amount stays on the statement, marked "in dispute"). Once
    resolved, whatever of it is still open is chased again from its due date,
    at the highest level it has reached, without the levels it missed."""

    _name = "account.followup.dispute"
    _description = "Invoice Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_opened, id"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        ondelete="cascade",
        index=True,
        tracking=True,
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_receipt')), ('state', '=', 'posted'), "
        "('payment_state', 'in', ('not_paid', 'partial')), ('followup_in_dispute', '=', False), "
        "('commercial_partner_id', '=?', partner_id)]",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
        help="The invoice's customer (its commercial entity).",
    )
    # The invoice's company; the current one while no invoice is chosen, so that
    # the form offers that company's invoices, customers and reasons.
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, precompute=True, index=True, readonly=True
    )
    currency_id = fields.Many2one(related="move_id.currency_id")
    amount_residual = fields.Monetary(related="move_id.amount_residual", string="Amount Due")
    reason = fields.Many2one(
        "account.followup.dispute.reason",
        required=True,
        tracking=True,
        ondelete="restrict",
        check_company=True,
    )
    comment = fields.Text(help="What the customer says.")
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        tracking=True,
        check_company=True,
        help="Who settles the dispute; by default the customer's follow-up responsible.",
    )
    state = fields.Selection(
        [("open", "Open"), ("resolved", "Resolved")],
        required=True,
        default="open",
        readonly=True,
        tracking=True,
        index=True,
    )
    origin = fields.Selection(
        [("customer", "The customer"), ("user", "A person of the company")],
        string="Opened by",
        required=True,
        default="user",
        readonly=True,
    )
    date_opened = fields.Date(string="Opened on", required=True, readonly=True, default=fields.Date.context_today)
    date_resolved = fields.Date(string="Resolved on", readonly=True, copy=False)
    resolution = fields.Selection(
        [
            ("credit_note", "Credit note issued"),
            ("confirmed", "Invoice confirmed"),
            ("paid", "Paid"),
            ("cancelled", "Dispute cancelled"),
        ],
        tracking=True,
        copy=False,
        help="How the dispute ended. Whatever the outcome, what is still due on the invoice is chased again.",
    )
    age = fields.Integer(string="Age (days)", compute="_compute_age", help="Days since the dispute was opened.")
    age_bucket = fields.Selection(
        AGE_BUCKETS,
        string="Age",
        compute="_compute_age_bucket",
        store=True,
        help="Age of an open dispute, refreshed every day.",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("move_id")
    def _compute_company_id(self):
        for dispute in self:
            dispute.company_id = dispute.move_id.company_id or dispute.company_id or self.env.company

    @api.depends("move_id")
    def _compute_partner_id(self):
        for dispute in self:
            if dispute.move_id:
                dispute.partner_id = dispute.move_id.commercial_partner_id

    @api.depends("partner_id", "company_id")
    def _compute_user_id(self):
        for dispute in self:
            if dispute.user_id or not dispute.partner_id:
                continue
            company = dispute.company_id or self.env.company
            responsible = dispute.partner_id.with_company(company)._get_followup_responsible()
            # The owner works in the invoice's company (check_company).
            dispute.user_id = responsible if company in responsible.company_ids else False

    @api.depends("move_id", "reason")
    def _compute_display_name(self):
        for dispute in self:
            dispute.display_name = _(
                "Dispute on %(invoice)s: %(reason)s",
                invoice=dispute.move_id.name or _("new"),
                reason=dispute.reason.name or "",
            )

    @api.depends("date_opened", "date_resolved")
    def _compute_age(self):
        for dispute in self:
            dispute.age = dispute._get_age()

    @api.depends("date_opened", "state")
    def _compute_age_bucket(self):
        for dispute in self:
            days = dispute._get_age()
            if days <= 30:
                dispute.age_bucket = "0_30"
            elif days <= 60:
                dispute.age_bucket = "31_60"
            elif days <= 90:
                dispute.age_bucket = "61_90"
            else:
                dispute.age_bucket = "90_plus"

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("move_id", "partner_id")
    def _check_partner_id(self):
        for dispute in self:
            if dispute.partner_id != dispute.move_id.commercial_partner_id:
                raise ValidationError(
                    _("The dispute's customer must be the customer of %(invoice)s.", invoice=dispute.move_id.name)
                )

    @api.constrains("move_id", "state")
    def _check_one_open_dispute(self):
        for dispute in self.filtered(lambda d: d.state == "open"):
            # Sudo: an open dispute the current user may not see (another
            # company's, a restricted record) counts all the same.
            others = self.sudo().search_count(
                [("move_id", "=", dispute.move_id.id), ("state", "=", "open"), ("id", "!=", dispute.id)]
            )
            if others:
                raise ValidationError(
                    _("%(invoice)s is already in dispute: update the open dispute.", invoice=dispute.move_id.name)
                )

    # ------------------------------------------------------------
    # CRUD METHODS
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        disputes = super().create(vals_list)
        if not self.env.su:
            # After the creation: default values (from the context too) included.
            today = fields.Date.context_today(self)
            if any(
                (d.origin, d.date_opened, d.state, d.date_resolved) != ("user", today, "open", False) for d in disputes
            ):
                raise UserError(self._get_server_fields_error())
        disputes.move_id._followup_check_open_invoices()
        disputes.move_id._followup_set_dispute_flag()
        for dispute in disputes:
            dispute._followup_announce_opened()
        return disputes

    def write(self, vals):
        if not self.env.su and set(vals) & set(SERVER_FIELDS):
            raise UserError(self._get_server_fields_error())
        if (
            not self.env.su
            and "comment" in vals
            and any(dispute.origin == "customer" and dispute.comment != vals["comment"] for dispute in self)
        ):
            # What the customer wrote on its page is its own words, on record.
            raise UserError(
                _(
                    "The comment of a dispute opened by the customer is what the customer wrote: "
                    "add your notes in the dispute's chatter."
                )
            )
        if "move_id" in vals and any(dispute.move_id.id != vals["move_id"] for dispute in self):
            # A dispute is about one invoice, in that invoice's company: moving
            # it would release the invoice it was opened on and stop chasing
            # another one, possibly of another company.
            raise UserError(
                _(
                    "The invoice of a dispute cannot be changed: resolve the dispute on %(invoice)s "
                    "and open one on the other invoice.",
                    invoice=", ".join(self.move_id.mapped("name")),
                )
            )
        moves = self.move_id
        result = super().write(vals)
        if {"state", "move_id"} & set(vals):
            (moves | self.move_id)._followup_set_dispute_flag()
        return result

    def unlink(self):
        moves = self.move_id
        result = super().unlink()
        moves.exists()._followup_set_dispute_flag()
        return result

    # ------------------------------------------------------------
    # ACTION METHODS
    # ------------------------------------------------------------

    def action_resolve(self):
        """End the dispute with the outcome set on it: the invoice, if still
        due, is chased again. Without an outcome, a dialog asks for it (its
        field marked as required) instead of an error."""
        today = fields.Date.context_today(self)
        open_disputes = self.filtered(lambda dispute: dispute.state == "open")
        if any(not dispute.resolution for dispute in open_disputes):
            return {
                "type": "ir.actions.act_window",
                "name": _("Mark resolved"),
                "res_model": "account.followup.dispute.resolve",
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "new",
                "context": {"default_dispute_ids": [Command.set(open_disputes.ids)]},
            }
        open_disputes.check_access_rights("write")
        open_disputes.check_access_rule("write")
        for dispute in open_disputes:
            # Sudo: the state is the server's (see write); the user may write
            # these disputes, checked above.
            dispute.sudo().write({"state": "resolved", "date_resolved": today})
            dispute.activity_ids.action_feedback(
                feedback=_("Resolved: %(resolution)s", resolution=dispute._get_resolution_label())
            )
            dispute._followup_announce_resolved()
        return True

    def action_reopen(self):
        resolved = self.filtered(lambda d: d.state == "resolved")
        resolved.check_access_rights("write")
        resolved.check_access_rule("write")
        for dispute in resolved:
            # Sudo: the state is the server's (see write); the user may write
            # these disputes, checked above.
            dispute.sudo().write({"state": "open", "date_resolved": False, "resolution": False})
            dispute._followup_schedule_activity()
            dispute.partner_id._message_post_followup(
                body=_("Dispute on %(invoice)s reopened.", invoice=dispute.move_id.name)
            )
        return True

    def action_open_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "views": [[False, "form"]],
        }

    @api.model
    def _get_open_form_action(self, move=None, partner=None):
        """The dispute form in a dialog, for an invoice or for a customer
        (the person then picks one of its open invoices)."""
        context = {}
        if move:
            context["default_move_id"] = move.id
        if partner:
            context["default_partner_id"] = partner.commercial_partner_id.id
        return {
            "type": "ir.actions.act_window",
            "name": _("Open a dispute"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [[self.env.ref("account_payment_followup.account_followup_dispute_view_form").id, "form"]],
            "target": "new",
            "context": context,
        }

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    @api.model
    def _get_server_fields_error(self):
        return _(
            "Who opened a dispute, when, and whether it is resolved are recorded by Odoo: "
            "open a dispute from its invoice and resolve or reopen it with its buttons."
        )

    @api.model
    def _cron_update_age_bucket(self):
        """Open disputes grow older every day: refresh the age they are grouped by."""
        disputes = self.sudo().search([("state", "=", "open")])
        disputes.invalidate_recordset(["age"])
        if disputes:
            self.env.add_to_compute(self._fields["age_bucket"], disputes)
            disputes.flush_recordset(["age_bucket"])

    def _get_age(self):
        """Days the dispute has been (or was) open."""
        self.ensure_one()
        if not self.date_opened:
            return 0
        return ((self.date_resolved or fields.Date.context_today(self)) - self.date_opened).days

    def _get_resolution_label(self):
        self.ensure_one()
        return dict(self._fields["resolution"]._description_selection(self.env)).get(self.resolution, "")

    def _followup_schedule_activity(self):
        self.ensure_one()
        self.with_context(mail_notify_force_send=False).activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Settle the dispute on %(invoice)s", invoice=self.move_id.name),
            # The comment is plain text, often the customer's: escaped, never HTML.
            note=plaintext2html(self.comment or self.reason.name or ""),
            user_id=self.user_id.id or self.env.user.id,
        )

    def _followup_announce_opened(self):
        """Activity for the owner; the customer's and the invoice's chatter tell it."""
        self.ensure_one()
        self._followup_schedule_activity()
        who = _("The customer") if self.origin == "customer" else self.env.user.name
        body = Markup("<p>%s</p>") % _(
            "%(who)s disputes %(invoice)s (%(reason)s): it is not chased until the dispute is resolved.",
            who=who,
            invoice=self.move_id.name,
            reason=self.reason.name,
        )
        if self.comment:
            # The customer's own words, as plain text: links and images stay text.
            body += Markup("<blockquote>%s</blockquote>") % plaintext2html(self.comment)
        self.partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        self.move_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    def _followup_announce_resolved(self):
        self.ensure_one()
        body = _(
            "Dispute on %(invoice)s resolved on %(date)s: %(resolution)s.",
            invoice=self.move_id.name,
            date=format_date(self.env, self.date_resolved),
            resolution=self._get_resolution_label(),
        )
        if self.move_id.payment_state in ("not_paid", "partial"):
            body += " " + _("What is still due is chased again.")
        self.partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        self.move_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
