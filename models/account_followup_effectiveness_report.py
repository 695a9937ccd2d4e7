from odoo import fields, models, tools
from odoo.tools import SQL

# Actions that reached the customer or were handed to a person; a skipped or
# failed action did not chase anyone.
EFFECTIVE_CHANNEL_STATES = ("sent", "queued", "to_do")


class AccountFollowupEffectivenessReport(models.Model):
    """How much money came in after each follow-up step (a SQL view, read only).

    One row per step. *Amount concerned*: what the step's receivable items
    still owed on the step date (each item's amount minus its reconciliations
    dated on or before that date). *Paid within N days*: the part of it settled
    by reconciliations dated in the N days after the step (step date excluded,
    the Nth day included); reconciliations with a credit note (an entry of a
    sales journal) are not money in and do not count as paid. The windows of successive steps on the same
    item overlap: a payment 20 days after the first reminder and 5 days after
    the second counts for both.

    The share paid of a group (``share_*``) is the sum of what was paid over
    the sum of the amount concerned, and the days to payment of a group are
    their median, both computed by PostgreSQL for whatever grouping the pivot
    or graph asks (see ``account.followup.analysis.mixin``). *Days to
    payment*: from the step to the reconciliation that paid the last of the
    amount concerned; empty while it is not entirely paid.

    *Main action*: the most personal action the step made (manual action, then
    letter, SMS, e-mail) among those that reached the customer or a person; the
    ``by_*`` flags tell every action the step made, for the filters.
    """

    _name = "account.followup.effectiveness.report"
    _inherit = "account.followup.analysis.mixin"
    _description = "Follow-up Effectiveness"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "step_id"
    _ratio_fields = {
        "share_7": ("paid_7", "amount"),
        "share_14": ("paid_14", "amount"),
        "share_30": ("paid_30", "amount"),
        "share_paid": ("paid", "amount"),
    }
    _depends = {
        "account.followup.step": [
            "partner_id",
            "company_id",
            "level_id",
            "date",
            "user_id",
            "responsible_id",
            "automatic",
            "state",
            "move_line_ids",
        ],
        "account.followup.step.channel": ["step_id", "channel", "state"],
        "account.move.line": ["balance", "journal_id"],
        "account.journal": ["type"],
        "account.partial.reconcile": ["amount", "max_date", "debit_move_id", "credit_move_id"],
    }

    step_id = fields.Many2one("account.followup.step", readonly=True)
    date = fields.Date(string="Step Date", readonly=True)
    level_id = fields.Many2one("account.followup.level", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    responsible_id = fields.Many2one("res.users", readonly=True)
    user_id = fields.Many2one("res.users", string="Done By", readonly=True)
    automatic = fields.Boolean(readonly=True)
    state = fields.Selection([("in_progress", "In progress"), ("done", "Done")], readonly=True)
    channel = fields.Selection(
        [("manual", "Manual action"), ("letter", "Letter"), ("sms", "SMS"), ("email", "E-mail")],
        string="Main Action",
        readonly=True,
        help="The most personal action the step made: manual action, then letter, SMS, e-mail.",
    )
    by_email = fields.Boolean(string="With E-mail", readonly=True)
    by_letter = fields.Boolean(string="With Letter", readonly=True)
    by_sms = fields.Boolean(string="With SMS", readonly=True)
    by_manual = fields.Boolean(string="With Manual Action", readonly=True)
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
        group_operator="ratio",
        help="Share of the amount concerned paid within 7 days after the step.",
    )
    share_14 = fields.Float(string="Paid within 14 Days (%)", readonly=True, group_operator="ratio")
    share_30 = fields.Float(string="Paid within 30 Days (%)", readonly=True, group_operator="ratio")
    share_paid = fields.Float(string="Paid Since (%)", readonly=True, group_operator="ratio")
    days_to_payment = fields.Float(
        string="Days to Payment (median)",
        readonly=True,
        group_operator="median",
        help="Days from the step to the payment of the last of the amount concerned; the median of a group. "
        "Empty while not entirely paid.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %(table)s AS (
                WITH amounts AS (
                    -- what each item of a step owed: its amount ...
                    SELECT rel.step_id,
                           aml.balance AS amount,
                           0 AS paid_7, 0 AS paid_14, 0 AS paid_30, 0 AS paid,
                           NULL::date AS paid_on
                      FROM account_followup_step_move_line_rel rel
                      JOIN account_move_line aml ON aml.id = rel.move_line_id
                     WHERE aml.balance > 0
                 UNION ALL
                    -- ... minus its reconciliations up to the step date; those after it
                    -- paid it, unless made with a credit note (a sales journal's entry)
                    SELECT rel.step_id,
                           CASE WHEN apr.max_date <= step.date THEN -apr.amount ELSE 0 END,
                           CASE WHEN paying AND apr.max_date <= step.date + 7 THEN apr.amount ELSE 0 END,
                           CASE WHEN paying AND apr.max_date <= step.date + 14 THEN apr.amount ELSE 0 END,
                           CASE WHEN paying AND apr.max_date <= step.date + 30 THEN apr.amount ELSE 0 END,
                           CASE WHEN paying THEN apr.amount ELSE 0 END,
                           CASE WHEN paying THEN apr.max_date END
                      FROM account_followup_step_move_line_rel rel
                      JOIN account_followup_step step ON step.id = rel.step_id
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = rel.move_line_id
                      JOIN account_move_line counterpart ON counterpart.id = apr.credit_move_id
                      JOIN account_journal journal ON journal.id = counterpart.journal_id
                     CROSS JOIN LATERAL (
                           SELECT apr.max_date > step.date AND journal.type != 'sale' AS paying
                         ) AS reconciliation
                ), per_step AS (
                    SELECT step_id,
                           SUM(amount) AS amount,
                           SUM(paid_7) AS paid_7,
                           SUM(paid_14) AS paid_14,
                           SUM(paid_30) AS paid_30,
                           SUM(paid) AS paid,
                           MAX(paid_on) AS last_paid
                      FROM amounts
                  GROUP BY step_id
                ), channels AS (
                    SELECT step_id,
                           BOOL_OR(channel = 'email') AS by_email,
                           BOOL_OR(channel = 'letter') AS by_letter,
                           BOOL_OR(channel = 'sms') AS by_sms,
                           BOOL_OR(channel = 'manual') AS by_manual
                      FROM account_followup_step_channel
                     WHERE state IN %(effective)s
                  GROUP BY step_id
                )
                SELECT step.id,
                       step.id AS step_id,
                       step.date,
                       step.level_id,
                       step.company_id,
                       company.currency_id,
                       step.partner_id,
                       step.responsible_id,
                       step.user_id,
                       step.automatic,
                       step.state,
                       CASE WHEN ch.by_manual THEN 'manual'
                            WHEN ch.by_letter THEN 'letter'
                            WHEN ch.by_sms THEN 'sms'
                            WHEN ch.by_email THEN 'email'
                       END AS channel,
                       COALESCE(ch.by_email, FALSE) AS by_email,
                       COALESCE(ch.by_letter, FALSE) AS by_letter,
                       COALESCE(ch.by_sms, FALSE) AS by_sms,
                       COALESCE(ch.by_manual, FALSE) AS by_manual,
                       COALESCE(ps.amount, 0) AS amount,
                       COALESCE(ps.paid_7, 0) AS paid_7,
                       COALESCE(ps.paid_14, 0) AS paid_14,
                       COALESCE(ps.paid_30, 0) AS paid_30,
                       COALESCE(ps.paid, 0) AS paid,
                       ROUND(ps.paid_7 * 100.0 / NULLIF(ps.amount, 0), 2) AS share_7,
                       ROUND(ps.paid_14 * 100.0 / NULLIF(ps.amount, 0), 2) AS share_14,
                       ROUND(ps.paid_30 * 100.0 / NULLIF(ps.amount, 0), 2) AS share_30,
                       ROUND(ps.paid * 100.0 / NULLIF(ps.amount, 0), 2) AS share_paid,
                       CASE WHEN ps.amount > 0 AND ps.paid >= ps.amount
                            THEN ps.last_paid - step.date
                       END AS days_to_payment
                  FROM account_followup_step step
                  JOIN res_company company ON company.id = step.company_id
             LEFT JOIN per_step ps ON ps.step_id = step.id
             LEFT JOIN channels ch ON ch.step_id = step.id
            )
            """,
                table=SQL.identifier(self._table),
                effective=EFFECTIVE_CHANNEL_STATES,
            )
        )

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
