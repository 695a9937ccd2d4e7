from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import format_date

# payment_state of an invoice nothing is left to pay on
SETTLED_STATES = ("paid", "in_payment", "reversed")


class AccountFollowupPromise(models.Model):
    """A promise to pay an invoice by a date, made by the customer (portal) or
    recorded by a person. While it is pending the invoice is not chased (its
    expected payment date); once its date has passed it is kept (paid by then)
    or broken (still open), which the trust suggested for the customer counts."""

    _name = "account.followup.promise"
    _description = "Promise to Pay"
    _order = "date desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        related="move_id.commercial_partner_id",
        store=True,
        index=True,
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="move_id.currency_id")
    amount = fields.Monetary(
        string="Amount Promised",
        currency_field="currency_id",
        readonly=True,
        help="What was left to pay on the invoice when the promise was made.",
    )
    date = fields.Date(string="Promised Date", required=True, readonly=True)
    made_on = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    user_id = fields.Many2one(
        "res.users",
        string="Recorded by",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    origin = fields.Selection(
        [("customer", "The customer"), ("user", "A person of the company")],
        string="Made by",
        required=True,
        default="user",
        readonly=True,
    )
    state = fields.Selection(
        [("open", "Pending"), ("kept", "Kept"), ("broken", "Broken"), ("cancelled", "Cancelled")],
        required=True,
        default="open",
        readonly=True,
        index=True,
        help="Pending until its date; then kept when the invoice was paid by that date, else broken. "
        "Cancelled: replaced by another promise, withdrawn, or the invoice was credited.",
    )
    date_closed = fields.Date(string="Closed on", readonly=True)

    @api.depends("move_id", "date")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = _(
                "%(invoice)s by %(date)s",
                invoice=promise.move_id.name or "",
                date=format_date(self.env, promise.date) if promise.date else "",
            )

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    @api.model
    def _cron_check_promises(self):
        """Daily: promises whose date has passed are kept or broken; the
        responsible hears of the broken ones (the invoice is chased again, its
        expected payment date being past), and dispute ages are refreshed."""
        self._followup_check_promises()
        self.env["account.followup.dispute"]._cron_update_age_bucket()
        return True

    @api.model
    def _followup_check_promises(self, moves=None, today=None):
        """Close the pending promises that can be judged today: those of
        settled invoices, and those whose date has passed.

        :param moves: only the promises of these invoices
        """
        today = today or fields.Date.context_today(self)
        domain = [
            ("state", "=", "open"),
            "|",
            ("date", "<", today),
            ("move_id.payment_state", "in", SETTLED_STATES),
        ]
        if moves is not None:
            domain.append(("move_id", "in", moves.ids))
        promises = self.sudo().search(domain)
        broken = self.browse()
        for promise in promises:
            move = promise.move_id
            if move.payment_state == "reversed":
                state = "cancelled"
            elif move.payment_state in SETTLED_STATES:
                paid_on = move._followup_get_paid_date()
                state = "kept" if not paid_on or paid_on <= promise.date else "broken"
            else:
                state = "broken"
                broken |= promise
            promise.write({"state": state, "date_closed": today})
        for (company, partner), partner_promises in broken._followup_group_by_customer().items():
            partner.with_company(company)._followup_notify_broken_promises(partner_promises)
        return promises

    def _followup_group_by_customer(self):
        groups = defaultdict(lambda: self.browse())
        for promise in self:
            groups[(promise.company_id, promise.partner_id)] |= promise
        return groups

    def _followup_describe(self):
        """ "INV/1 (10 March 2026), INV/2 (...)" for messages."""
        return ", ".join(
            _("%(invoice)s (%(date)s)", invoice=promise.move_id.name, date=format_date(self.env, promise.date))
            for promise in self
        )
