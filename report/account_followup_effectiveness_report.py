from odoo import api, fields, models
from odoo.tools import SQL


class AccountFollowupEffectivenessReport(models.Model):
    """How much money came in after each follow-up step (a report read from SQL).

    One row per step, with the figures stored on the step (see
    ``account_followup_step.py``): the amount its invoices still owed
    on the step date, the part of it paid within 7, 14 and 30 days after it
    (credit notes are not payments), and the days until it was entirely paid.
    The windows of successive steps on the same invoice overlap: a payment 20
    days after the first reminder and 5 days after the second counts for both.

    The share paid of a group (``share_*``) is the sum of what was paid over
    the sum of the amount concerned, and the days to payment of a group are
    their median, both computed for whatever grouping the pivot
    or graph asks (see ``account.followup.analysis.mixin``); the days to
    payment of a step not entirely paid are empty and left out of the median.

    *Main action*: the most personal action the step made (manual action, then
    letter, SMS, e-mail: the channels' weight) among those that reached the
    customer or a person; ``used_channel`` searches the steps with an action of
    a channel (the step's own search).
    """

    _name = "account.followup.effectiveness.report"
    _inherit = "account.followup.analysis.mixin"
    _description = "Follow-up Effectiveness"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "step_id"
    _custom_aggregates = {
        "share_7": ("ratio", "paid_7", "amount"),
        "share_14": ("ratio", "paid_14", "amount"),
        "share_30": ("ratio", "paid_30", "amount"),
        "share_paid": ("ratio", "paid", "amount"),
        "days_to_payment": ("median",),
    }
    _depends = {
        "account.followup.step": [
            "partner_id",
            "company_id",
            "level_id",
            "plan_id",
            "date",
            "user_id",
            "responsible_id",
            "automatic",
            "state",
            "main_channel",
            "notice_amount",
            "notice_date",
            "amount_concerned",
            "paid_7",
            "paid_14",
            "paid_30",
            "paid_since",
            "paid_date",
        ],
        "res.company": ["currency_id"],
        "account.move.line": ["followup_notice_step_id", "followup_charge_type", "price_subtotal", "parent_state"],
    }

    step_id = fields.Many2one("account.followup.step", readonly=True)
    date = fields.Date(string="Step Date", readonly=True)
    level_id = fields.Many2one("account.followup.level", readonly=True)
    plan_id = fields.Many2one("account.followup.plan", string="Follow-up Plan", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    responsible_id = fields.Many2one("res.users", readonly=True)
    user_id = fields.Many2one("res.users", string="Done By", readonly=True)
    automatic = fields.Boolean(readonly=True)
    state = fields.Selection([("in_progress", "In progress"), ("done", "Done")], readonly=True)
    channel = fields.Selection(
        selection=lambda self: self.env["account.followup.step"]._selection_main_channel(),
        string="Main Action",
        readonly=True,
        help="The most personal action the step made: manual action, then letter, SMS, e-mail.",
    )
    used_channel = fields.Selection(
        selection=lambda self: self.env["account.followup.step"]._selection_main_channel(),
        string="With Action",
        compute="_compute_used_channel",
        search="_search_used_channel",
        help="The steps with an action of this channel that reached the customer or a person.",
    )
    with_notice = fields.Boolean(
        string="With 14-day Notice",
        readonly=True,
        help="The step's e-mail or letter carried a 14-day notice that reached the consumer.",
    )
    notice_amount = fields.Monetary(
        string="Collection Costs Notified",
        readonly=True,
        help="The collection costs the step's 14-day notice stated.",
    )
    collection_costs = fields.Monetary(
        string="Collection Costs Charged",
        readonly=True,
        help="The collection costs charged after the step's 14-day notice (posted charges invoices), VAT excluded.",
    )
    amount = fields.Monetary(
        string="Amount Concerned",
        readonly=True,
        help="What the step's items still owed on the step date, in the company's currency.",
    )
    paid_7 = fields.Monetary(string="Paid within 7 Days", readonly=True)
    paid_14 = fields.Monetary(string="Paid within 14 Days", readonly=True)
    paid_30 = fields.Monetary(string="Paid within 30 Days", readonly=True)
    paid = fields.Monetary(string="Paid Since", readonly=True, help="Paid after the step, up to today.")
    share_7 = fields.Float(
        string="Paid within 7 Days (%)",
        readonly=True,
        group_operator="avg",
        help="Share of the amount concerned paid within 7 days after the step.",
    )
    share_14 = fields.Float(string="Paid within 14 Days (%)", readonly=True, group_operator="avg")
    share_30 = fields.Float(string="Paid within 30 Days (%)", readonly=True, group_operator="avg")
    share_paid = fields.Float(string="Paid Since (%)", readonly=True, group_operator="avg")
    days_to_payment = fields.Float(
        string="Days to Payment (median)",
        readonly=True,
        group_operator="avg",
        help="Days from the step to the payment of the last of the amount concerned; the median of a group. "
        "Empty while not entirely paid.",
    )

    def _compute_used_channel(self):
        self.used_channel = False  # a search field (see account.followup.step)

    def _search_used_channel(self, operator, value):
        return [("step_id", "any", [("used_channel", operator, value)])]

    @property
    def _table_query(self):
        # An SQL object is used as the table as it is: the parentheses make it a subquery.
        return SQL("(%s %s %s)", self._select(), self._from(), self._where())

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT step.id,
                   step.id AS step_id,
                   step.date,
                   step.level_id,
                   step.plan_id,
                   step.company_id,
                   company.currency_id,
                   step.partner_id,
                   step.responsible_id,
                   step.user_id,
                   step.automatic,
                   step.state,
                   step.main_channel AS channel,
                   step.notice_date IS NOT NULL AS with_notice,
                   COALESCE(step.notice_amount, 0) AS notice_amount,
                   COALESCE((
                       SELECT SUM(costs.price_subtotal)
                         FROM account_move_line costs
                        WHERE costs.followup_notice_step_id = step.id
                          AND costs.followup_charge_type = 'collection_costs'
                          AND costs.parent_state = 'posted'
                   ), 0) AS collection_costs,
                   COALESCE(step.amount_concerned, 0) AS amount,
                   COALESCE(step.paid_7, 0) AS paid_7,
                   COALESCE(step.paid_14, 0) AS paid_14,
                   COALESCE(step.paid_30, 0) AS paid_30,
                   COALESCE(step.paid_since, 0) AS paid,
                   ROUND(step.paid_7 * 100.0 / NULLIF(step.amount_concerned, 0), 2) AS share_7,
                   ROUND(step.paid_14 * 100.0 / NULLIF(step.amount_concerned, 0), 2) AS share_14,
                   ROUND(step.paid_30 * 100.0 / NULLIF(step.amount_concerned, 0), 2) AS share_30,
                   ROUND(step.paid_since * 100.0 / NULLIF(step.amount_concerned, 0), 2) AS share_paid,
                   step.paid_date - step.date AS days_to_payment
            """
        )

    @api.model
    def _from(self):
        return SQL(
            """
              FROM account_followup_step step
              JOIN res_company company ON company.id = step.company_id
            """
        )

    @api.model
    def _where(self):
        """Every step; a module that leaves some out returns its own ``WHERE``."""
        return SQL()

    # ------------------------------------------------------------
    # ACTION METHODS
    # ------------------------------------------------------------

    def action_open_step(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.followup.step",
            "res_id": self.step_id.id,
            "views": [(False, "form")],
        }
