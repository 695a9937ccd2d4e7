from odoo import fields, models, tools
from odoo.tools import SQL

from .account_followup import DUE_DATE_SQL

AGE_BUCKETS = [
    ("1_30", "1-30"),
    ("31_60", "31-60"),
    ("61_90", "61-90"),
    ("91_120", "91-120"),
    ("older", "Older"),
]


class AccountFollowupOverdueReport(models.Model):
    """Overdue receivables at each month end, by age (a SQL view, read only).

    One row per company, customer, month end and age bucket: the customer's
    receivable debit items (invoices, their installments) past their due date
    at that month end, for what they still owed then (their amount minus their
    reconciliations dated up to the month end). The age is counted from the due
    date to the month end, in the buckets of the aged receivable. The current
    month's row is today's situation. Amounts in the company's currency.

    Amounts are month end balances: grouped by month they add up; on a coarser
    grouping the pivot shows their average over the month ends (``month_end``
    aggregate of ``account.followup.analysis.mixin``).
    """

    _name = "account.followup.overdue.report"
    _inherit = "account.followup.analysis.mixin"
    _description = "Overdue Receivables by Age"
    _auto = False
    _order = "date desc, age"
    _rec_name = "partner_id"
    _depends = {
        "account.move.line": [
            "balance",
            "date",
            "date_maturity",
            "parent_state",
            "reconciled",
            "account_id",
            "company_id",
            "partner_id",
            "move_id",
        ],
        "account.move": ["invoice_date", "date", "invoice_payment_term_id"],
        "account.account": ["account_type"],
        "account.partial.reconcile": ["amount", "max_date", "debit_move_id"],
        "res.partner": ["commercial_partner_id"],
    }

    date = fields.Date(string="Month End", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    followup_responsible_id = fields.Many2one(related="partner_id.followup_responsible_id")
    age = fields.Selection(AGE_BUCKETS, string="Days Overdue", readonly=True)
    amount = fields.Monetary(
        string="Overdue",
        readonly=True,
        group_operator="month_end",
        help="Owed at the month end on items past their due date; on a coarser grouping than "
        "the month, the average of the month ends.",
    )
    item_count = fields.Integer(string="Overdue Items", readonly=True, group_operator="month_end")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %(table)s AS (
                WITH items AS (
                    -- receivable debits, with the date they were settled (NULL: still open)
                    SELECT aml.id,
                           aml.company_id,
                           partner.commercial_partner_id AS partner_id,
                           aml.balance,
                           %(due_date)s AS due_date,
                           CASE WHEN aml.reconciled THEN (
                               SELECT MAX(apr.max_date) FROM account_partial_reconcile apr
                                WHERE apr.debit_move_id = aml.id
                           ) END AS settled_date
                      FROM account_move_line aml
                      JOIN account_move move ON move.id = aml.move_id
                      JOIN account_account account ON account.id = aml.account_id
                      JOIN res_partner partner ON partner.id = aml.partner_id
                     WHERE aml.parent_state = 'posted'
                       AND account.account_type = 'asset_receivable'
                       AND aml.balance > 0
                ), overdue AS (
                    -- one row per item and month end at which it was overdue and not yet settled
                    SELECT items.*,
                           month.month,
                           LEAST((month.month + interval '1 month' - interval '1 day')::date, CURRENT_DATE) AS as_of
                      FROM items
                     CROSS JOIN LATERAL generate_series(
                               date_trunc('month', items.due_date + 1),
                               date_trunc('month', LEAST(COALESCE(items.settled_date - 1, CURRENT_DATE), CURRENT_DATE)),
                               interval '1 month'
                           ) AS month(month)
                     WHERE items.settled_date IS NULL OR items.settled_date > items.due_date + 1
                ), aged AS (
                    SELECT overdue.id,
                           overdue.company_id,
                           overdue.partner_id,
                           overdue.month::date AS month,
                           overdue.as_of,
                           CASE WHEN overdue.as_of - overdue.due_date <= 30 THEN '1_30'
                                WHEN overdue.as_of - overdue.due_date <= 60 THEN '31_60'
                                WHEN overdue.as_of - overdue.due_date <= 90 THEN '61_90'
                                WHEN overdue.as_of - overdue.due_date <= 120 THEN '91_120'
                                ELSE 'older'
                           END AS age,
                           overdue.balance - COALESCE((
                               SELECT SUM(apr.amount) FROM account_partial_reconcile apr
                                WHERE apr.debit_move_id = overdue.id AND apr.max_date <= overdue.as_of
                           ), 0) AS residual
                      FROM overdue
                     WHERE overdue.as_of > overdue.due_date
                       AND (overdue.settled_date IS NULL OR overdue.settled_date > overdue.as_of)
                )
                SELECT MIN(aged.id)::bigint * 100000
                           + (EXTRACT(YEAR FROM aged.month) * 12 + EXTRACT(MONTH FROM aged.month))::int AS id,
                       aged.company_id,
                       company.currency_id,
                       aged.partner_id,
                       (aged.month + interval '1 month' - interval '1 day')::date AS date,
                       aged.age,
                       SUM(aged.residual) AS amount,
                       COUNT(*) AS item_count
                  FROM aged
                  JOIN res_company company ON company.id = aged.company_id
                 WHERE aged.residual > 0
              GROUP BY aged.company_id, company.currency_id, aged.partner_id, aged.month, aged.age
            )
            """,
                table=SQL.identifier(self._table),
                due_date=SQL(DUE_DATE_SQL),
            )
        )
