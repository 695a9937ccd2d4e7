from odoo import api, fields, models
from odoo.tools import SQL


class AccountFollowupDsoReport(models.Model):
    """Days sales outstanding of each company, month by month (a report read from SQL).

    Computed by the *countback* method: the receivables at the month end are
    counted back against the credit sales of that month, then of the months
    before, adding each month's days until the receivables are exhausted::

        receivables 2,500 at 30 November; sales: November 1,000, October 3,000
        → November's 1,000 covers 30 days, the remaining 1,500 are
          1,500 / 3,000 of October's 31 days = 15.5 → DSO 45.5 days

    Unlike receivables ÷ sales of the month × days, the countback cannot go
    negative (a month whose credit notes exceed its sales covers its days and
    nothing of the receivables) nor explode on a month of small sales (the
    months before take over). Receivables that exceed every sale on record
    count every day since the first month.

    *Receivables*: the balance of the receivable accounts at the month end, from
    the posted journal items dated up to it (what customers owed then, whatever
    was reconciled later). *Credit sales*: the customer invoices of the month
    minus its credit notes, taxes included as in the receivables: the
    receivable items of the sales journals, in the company's currency. *Days*: the days of the
    month; for the current month, the days up to today, and its receivables
    are today's.

    On a coarser grouping than the month (a quarter, a year, several
    companies), the DSO is the average of the months' DSO and the receivables
    the average month end receivables.
    """

    _name = "account.followup.dso.report"
    _inherit = "account.followup.analysis.mixin"
    _description = "Days Sales Outstanding"
    _auto = False
    _order = "date desc, company_id"
    _rec_name = "date"
    _custom_aggregates = {"receivable": ("month_end", "date")}
    _depends = {
        "account.move.line": ["balance", "date", "parent_state", "account_id", "company_id", "journal_id"],
        "account.journal": ["type"],
        "account.account": ["account_type"],
        "res.company": ["currency_id"],
    }

    date = fields.Date(string="Month End", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    receivable = fields.Monetary(
        string="Receivables",
        readonly=True,
        group_operator="avg",
        help="Balance of the receivable accounts at the month end; on a coarser grouping, "
        "the average of the month ends.",
    )
    credit_sales = fields.Monetary(
        readonly=True, help="Customer invoices of the month minus its credit notes, taxes included."
    )
    days = fields.Integer(readonly=True, group_operator=None, help="Days of the month (up to today for this month).")
    dso = fields.Float(
        string="DSO (days)",
        readonly=True,
        group_operator="avg",
        help="Days sales outstanding by the countback method: the receivables at the month end are counted back "
        "against the credit sales of the month, then of the months before, adding each month's days until "
        "they are exhausted. The average of the months on a coarser grouping.",
    )

    @property
    def _table_query(self):
        # An SQL object is used as the table as it is: the parentheses make it a subquery.
        return SQL("(%s %s %s)", self._with(), self._select(), self._from())

    @api.model
    def _where(self):
        """The journal items the DSO counts (receivables and credit sales): the
        condition of the one scan of ``account_move_line aml`` (joined to
        ``account`` and ``journal``) in :meth:`_with`; the report's rows are the
        months of these items."""
        return SQL(
            """
             WHERE aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND aml.date <= CURRENT_DATE
            """
        )

    @api.model
    def _with(self):
        return SQL(
            """
            WITH movements AS (
                -- one scan of the receivable items: per company and month, the change
                -- of the receivables and the credit sales
                SELECT aml.company_id,
                       date_trunc('month', aml.date)::date AS month,
                       SUM(aml.balance) AS movement,
                       SUM(aml.balance) FILTER (WHERE journal.type = 'sale') AS credit_sales
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN account_journal journal ON journal.id = aml.journal_id
                %(where)s
              GROUP BY aml.company_id, date_trunc('month', aml.date)
            ), months AS (
                SELECT starts.company_id, series.month::date AS month
                  FROM (SELECT company_id, MIN(month) AS month FROM movements GROUP BY company_id) starts
                 CROSS JOIN generate_series(starts.month, date_trunc('month', CURRENT_DATE), interval '1 month')
                       AS series(month)
            ), balances AS (
                SELECT months.company_id,
                       months.month,
                       (months.month + interval '1 month' - interval '1 day')::date AS month_end,
                       SUM(COALESCE(movements.movement, 0))
                           OVER (PARTITION BY months.company_id ORDER BY months.month) AS receivable,
                       COALESCE(movements.credit_sales, 0) AS credit_sales,
                       LEAST(months.month + interval '1 month' - interval '1 day', CURRENT_DATE)::date
                           - months.month + 1 AS days
                  FROM months
             LEFT JOIN movements ON movements.company_id = months.company_id
                                AND movements.month = months.month
            ), countback AS (
                -- each month end against its own month and every month before it, the most
                -- recent first: the sales and days counted back down to that earlier month
                -- (a month whose credit notes exceed its sales counts as no sales)
                SELECT balances.company_id,
                       balances.month,
                       earlier.days,
                       GREATEST(earlier.credit_sales, 0) AS sales,
                       SUM(GREATEST(earlier.credit_sales, 0)) OVER counted_back AS sales_back,
                       balances.receivable
                  FROM balances
                  JOIN balances earlier ON earlier.company_id = balances.company_id
                                       AND earlier.month <= balances.month
                WINDOW counted_back AS (PARTITION BY balances.company_id, balances.month
                                            ORDER BY earlier.month DESC)
            ), dso AS (
                -- while receivables remain, a month whose sales are all counted back adds
                -- its days, the month that exhausts them the share of its days they need
                SELECT company_id,
                       month,
                       SUM(CASE WHEN sales_back - sales >= receivable THEN 0
                                WHEN sales_back <= receivable THEN days
                                ELSE (receivable - (sales_back - sales)) * days / sales END) AS dso
                  FROM countback
                 WHERE receivable > 0
              GROUP BY company_id, month
            )
            """,
            where=self._where(),
        )

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT balances.company_id * 100000
                       + (EXTRACT(YEAR FROM balances.month) * 12 + EXTRACT(MONTH FROM balances.month))::int AS id,
                   balances.company_id,
                   company.currency_id,
                   balances.month_end AS date,
                   balances.receivable,
                   balances.credit_sales,
                   balances.days,
                   ROUND(COALESCE(dso.dso, 0), 1) AS dso
            """
        )

    @api.model
    def _from(self):
        return SQL(
            """
              FROM balances
              JOIN res_company company ON company.id = balances.company_id
         LEFT JOIN dso ON dso.company_id = balances.company_id AND dso.month = balances.month
            """
        )
