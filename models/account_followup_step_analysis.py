from odoo import api, fields, models
from odoo.tools import SQL

# Actions that reached the customer or were handed to a person (to do, then
# done); a skipped or failed action did not chase anyone.
EFFECTIVE_CHANNEL_STATES = ("sent", "queued", "to_do", "done")
# The most personal action first: the step's "main action".
CHANNEL_WEIGHT = ("manual", "letter", "sms", "email")


class AccountFollowupStep(models.Model):
    """What the money did after each follow-up step, stored on the step.

    The follow-up analysis groups and filters steps by the thousand; working
    out, at every click, what each step's items owed on its date and what was
    paid after it means joining every step with the journal items and the
    reconciliations (seconds at 150,000 steps). The figures are stored here
    instead and computed by one SQL query for a batch of steps, again whenever
    a reconciliation of one of their items is made or undone.

    * ``amount_concerned``: what the step's receivable debits (invoices,
      installments) still owed on the step date: their amount minus their
      reconciliations dated on or before it;
    * ``paid_7/14/30``: the part of it settled by reconciliations dated in the
      7, 14, 30 days after the step (its day excluded, the last day included);
      ``paid_since``: after the step, up to now. A reconciliation with a credit
      note is not money in and pays nothing;
    * ``paid_date``: the date of the payment that paid the last of the amount
      concerned, empty while it is not entirely paid.

    Kept apart from ``account_followup_step.py`` (the history itself) so that
    the engine and the analysis evolve separately.
    """

    _inherit = "account.followup.step"

    amount_concerned = fields.Monetary(
        readonly=True,
        compute="_compute_payment_figures",
        store=True,
        help="What the step's invoices still owed on the step date.",
    )
    paid_7 = fields.Monetary(string="Paid within 7 Days", compute="_compute_payment_figures", store=True)
    paid_14 = fields.Monetary(string="Paid within 14 Days", compute="_compute_payment_figures", store=True)
    paid_30 = fields.Monetary(string="Paid within 30 Days", compute="_compute_payment_figures", store=True)
    paid_since = fields.Monetary(
        compute="_compute_payment_figures", store=True, help="Paid after the step, up to today."
    )
    paid_date = fields.Date(
        string="Paid in Full on",
        compute="_compute_payment_figures",
        store=True,
        help="When the last of the amount concerned was paid; empty while it is not.",
    )
    main_channel = fields.Selection(
        [("manual", "Manual action"), ("letter", "Letter"), ("sms", "SMS"), ("email", "E-mail")],
        string="Main Action",
        compute="_compute_main_channel",
        store=True,
        help="The most personal action of the step that reached the customer or a person: "
        "manual action, then letter, SMS, e-mail.",
    )
    by_email = fields.Boolean(string="With E-mail", compute="_compute_main_channel", store=True)
    by_letter = fields.Boolean(string="With Letter", compute="_compute_main_channel", store=True)
    by_sms = fields.Boolean(string="With SMS", compute="_compute_main_channel", store=True)
    by_manual = fields.Boolean(string="With Manual Action", compute="_compute_main_channel", store=True)

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("date", "move_line_ids.balance", "move_line_ids.matched_credit_ids")
    def _compute_payment_figures(self):
        steps = self.filtered(lambda step: isinstance(step.id, int))
        (self - steps).update(
            {
                "amount_concerned": 0,
                "paid_7": 0,
                "paid_14": 0,
                "paid_30": 0,
                "paid_since": 0,
                "paid_date": False,
            }
        )
        if not steps:
            return
        # SQL: the reconciliations of every item of every step, set-based.
        steps.flush_recordset(["date", "move_line_ids"])
        self.env["account.move.line"].flush_model(["balance", "move_id"])
        self.env["account.move"].flush_model(["move_type"])
        self.env["account.partial.reconcile"].flush_model(["amount", "max_date", "debit_move_id", "credit_move_id"])
        figures = dict.fromkeys(steps.ids, (0, 0, 0, 0, 0, None))
        self.env.cr.execute(self._get_payment_figures_query(steps.ids))
        figures.update({row[0]: row[1:] for row in self.env.cr.fetchall()})
        for step in steps:
            amount, paid_7, paid_14, paid_30, paid_since, paid_date = figures[step.id]
            step.update(
                {
                    "amount_concerned": amount,
                    "paid_7": paid_7,
                    "paid_14": paid_14,
                    "paid_30": paid_30,
                    "paid_since": paid_since,
                    "paid_date": paid_date,
                }
            )

    @api.depends("channel_ids.channel", "channel_ids.state")
    def _compute_main_channel(self):
        for step in self:
            used = set(
                step.channel_ids.filtered(lambda channel: channel.state in EFFECTIVE_CHANNEL_STATES).mapped("channel")
            )
            step.main_channel = next((channel for channel in CHANNEL_WEIGHT if channel in used), False)
            step.by_email = "email" in used
            step.by_letter = "letter" in used
            step.by_sms = "sms" in used
            step.by_manual = "manual" in used

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    @api.model
    def _get_payment_figures_query(self, step_ids):
        """One row per step of ``step_ids`` with items: id, amount concerned,
        paid within 7, 14, 30 days, paid since, date paid in full."""
        return SQL(
            """
            WITH items AS (
                SELECT rel.step_id, SUM(aml.balance) AS balance
                  FROM account_followup_step_move_line_rel rel
                  JOIN account_move_line aml ON aml.id = rel.move_line_id
                 WHERE rel.step_id = ANY(%(ids)s)
                   AND aml.balance > 0
              GROUP BY rel.step_id
            ), reconciliations AS (
                SELECT rel.step_id, step.date, apr.amount, apr.max_date,
                       apr.max_date > step.date AND NOT EXISTS (
                           SELECT 1
                             FROM account_move_line refund_line
                             JOIN account_move refund ON refund.id = refund_line.move_id
                            WHERE refund_line.id = apr.credit_move_id
                              AND refund.move_type = 'out_refund'
                       ) AS paying
                  FROM account_followup_step_move_line_rel rel
                  JOIN account_followup_step step ON step.id = rel.step_id
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = rel.move_line_id
                 WHERE rel.step_id = ANY(%(ids)s)
            ), per_step AS (
                SELECT step_id,
                       SUM(amount) FILTER (WHERE max_date <= date) AS before,
                       SUM(amount) FILTER (WHERE paying AND max_date <= date + 7) AS paid_7,
                       SUM(amount) FILTER (WHERE paying AND max_date <= date + 14) AS paid_14,
                       SUM(amount) FILTER (WHERE paying AND max_date <= date + 30) AS paid_30,
                       SUM(amount) FILTER (WHERE paying) AS paid,
                       MAX(max_date) FILTER (WHERE paying) AS last_paid
                  FROM reconciliations
              GROUP BY step_id
            ), figures AS (
                SELECT items.step_id,
                       items.balance - COALESCE(per_step.before, 0) AS amount,
                       COALESCE(per_step.paid_7, 0) AS paid_7,
                       COALESCE(per_step.paid_14, 0) AS paid_14,
                       COALESCE(per_step.paid_30, 0) AS paid_30,
                       COALESCE(per_step.paid, 0) AS paid,
                       per_step.last_paid
                  FROM items
             LEFT JOIN per_step ON per_step.step_id = items.step_id
            )
            SELECT step_id, amount, paid_7, paid_14, paid_30, paid,
                   CASE WHEN amount > 0 AND paid >= amount THEN last_paid END
              FROM figures
            """,
            ids=list(step_ids),
        )
