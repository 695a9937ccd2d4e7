from odoo import api, fields, models
from odoo.tools import SQL

from .account_followup_analysis_mixin import ITEM_DUE_DATE_SQL

AGE_BUCKETS = [
    ("1_30", "1-30"),
    ("31_60", "31-60"),
    ("61_90", "61-90"),
    ("91_120", "91-120"),
    ("older", "Older"),
]


class AccountFollowupOverdueReport(models.Model):
    """Overdue receivables at each month end, by age (a report read from SQL).

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
    _custom_aggregates = {"amount": ("month_end", "date"), "item_count": ("month_end", "date")}
    _depends = {
        "account.move.line": [
            "balance",
            "date",
            "date_maturity",
            "invoice_date",
            "parent_state",
            "reconciled",
            "account_id",
            "company_id",
            "partner_id",
            "move_id",
        ],
        "account.account": ["account_type"],
        "account.partial.reconcile": ["amount", "max_date", "debit_move_id"],
        "res.company": ["currency_id"],
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
        group_operator="avg",
        help="Owed at the month end on items past their due date; on a coarser grouping than "
        "the month, the average of the month ends.",
    )
    item_count = fields.Integer(string="Overdue Items", readonly=True, group_operator="avg")

    @property
    def _table_query(self):
        # An SQL object is used as the table as it is: the parentheses make it a subquery.
        return SQL("(%s %s %s %s)", self._with(), self._select(), self._from(), self._group_by())

    @api.model
    def _where(self):
        """The receivable items the report follows: the condition of the one
        scan of ``account_move_line aml`` (joined to ``account`` and ``partner``)
        in :meth:`_with`; the report's rows are these items at each month end."""
        return SQL(
            """
             WHERE aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND aml.balance > 0
            """
        )

    @api.model
    def _with(self):
        return SQL(
            """
            WITH settled AS (
                SELECT debit_move_id AS item_id, MAX(max_date) AS settled_date
                  FROM account_partial_reconcile
              GROUP BY debit_move_id
            ), items AS (
                -- receivable debits, with the day they were settled (NULL: still open)
                SELECT aml.id,
                       aml.company_id,
                       partner.commercial_partner_id AS partner_id,
                       aml.balance,
                       %(due_date)s AS due_date,
                       CASE WHEN aml.reconciled THEN settled.settled_date END AS settled_date
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner partner ON partner.id = aml.partner_id
             LEFT JOIN settled ON settled.item_id = aml.id
                %(where)s
            ), month_ends AS (
                -- each month end at which an item was overdue and not yet settled; the
                -- current month's is today
                SELECT items.id, items.company_id, items.partner_id, items.balance, items.due_date,
                       items.settled_date, month.month::date AS month,
                       LEAST((month.month + interval '1 month' - interval '1 day')::date, CURRENT_DATE) AS as_of
                  FROM items
                 CROSS JOIN LATERAL generate_series(
                           date_trunc('month', items.due_date + 1),
                           date_trunc('month', LEAST(items.settled_date - 1, CURRENT_DATE)),
                           interval '1 month'
                       ) AS month(month)
            ), overdue AS (
                SELECT id, company_id, partner_id, balance, month, as_of,
                       CASE WHEN as_of - due_date <= 30 THEN '1_30'
                            WHEN as_of - due_date <= 60 THEN '31_60'
                            WHEN as_of - due_date <= 90 THEN '61_90'
                            WHEN as_of - due_date <= 120 THEN '91_120'
                            ELSE 'older'
                       END AS age
                  FROM month_ends
                 WHERE as_of > due_date
                   AND (settled_date IS NULL OR settled_date > as_of)
            ), amounts AS (
                -- what each item owed at the month end: its amount minus its
                -- reconciliations dated up to then
                SELECT id, company_id, partner_id, month, age, balance AS amount, 1 AS item
                  FROM overdue
             UNION ALL
                SELECT overdue.id, overdue.company_id, overdue.partner_id, overdue.month, overdue.age, -apr.amount, 0
                  FROM overdue
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = overdue.id
                 WHERE apr.max_date <= overdue.as_of
            )
            """,
            due_date=ITEM_DUE_DATE_SQL,
            where=self._where(),
        )

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT MIN(amounts.id)::bigint * 100000
                       + (EXTRACT(YEAR FROM amounts.month) * 12 + EXTRACT(MONTH FROM amounts.month))::int AS id,
                   amounts.company_id,
                   company.currency_id,
                   amounts.partner_id,
                   (amounts.month + interval '1 month' - interval '1 day')::date AS date,
                   amounts.age,
                   SUM(amounts.amount) AS amount,
                   SUM(amounts.item) AS item_count
            """
        )

    @api.model
    def _from(self):
        return SQL(
            """
              FROM amounts
              JOIN res_company company ON company.id = amounts.company_id
            """
        )

    @api.model
    def _group_by(self):
        return SQL("GROUP BY amounts.company_id, company.currency_id, amounts.partner_id, amounts.month, amounts.age")
