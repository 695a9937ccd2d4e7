from odoo import fields, models, tools
from odoo.models import parse_read_group_spec
from odoo.tools import SQL


class AccountFollowupDsoReport(models.Model):
    """Days sales outstanding of each company, month by month (a SQL view).

    The usual formula, on each month::

        DSO = receivables at the month end / credit sales of the month × days of the month

    *Receivables*: the balance of the receivable accounts at the month end, from
    the posted journal items dated up to it (what customers owed then, whatever
    was reconciled later). *Credit sales*: the customer invoices of the month
    minus its credit notes, taxes included as in the receivables: the
    receivable items of the sales journals, in the company's currency. *Days*: the days of the
    month; for the current month, the days up to today, and its receivables
    are today's.

    On a coarser grouping than the month (a quarter, a year, several
    companies), the DSO is the average month end receivables over the credit
    sales per day of the period: ``aggregate "dso"``, computed by PostgreSQL.
    """

    _name = "account.followup.dso.report"
    _inherit = "account.followup.analysis.mixin"
    _description = "Days Sales Outstanding"
    _auto = False
    _order = "date desc, company_id"
    _rec_name = "date"
    _depends = {
        "account.move.line": ["balance", "date", "parent_state", "account_id", "company_id", "journal_id"],
        "account.journal": ["type"],
        "account.account": ["account_type"],
    }

    date = fields.Date(string="Month End", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    receivable = fields.Monetary(
        string="Receivables",
        readonly=True,
        group_operator="month_end",
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
        group_operator="dso",
        help="Days sales outstanding: receivables at the month end ÷ credit sales of the month × days of the month.",
    )

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec != "__count" and parse_read_group_spec(aggregate_spec)[2] == "dso":
            # average month end receivables over the credit sales per day of the
            # period; each company's months count once in the period's days
            return (
                SQL(
                    "ROUND(SUM(%(receivable)s) * SUM(%(days)s) / NULLIF(COUNT(DISTINCT %(date)s) "
                    "* COUNT(DISTINCT %(company)s) * SUM(%(sales)s), 0), 1)",
                    receivable=self._field_to_sql(self._table, "receivable", query),
                    days=self._field_to_sql(self._table, "days", query),
                    date=self._field_to_sql(self._table, "date", query),
                    company=self._field_to_sql(self._table, "company_id", query),
                    sales=self._field_to_sql(self._table, "credit_sales", query),
                ),
                ["dso", "receivable", "days", "date", "company_id", "credit_sales"],
            )
        return super()._read_group_select(aggregate_spec, query)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %s AS (
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
                     WHERE aml.parent_state = 'posted'
                       AND account.account_type = 'asset_receivable'
                       AND aml.date <= CURRENT_DATE
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
                           COALESCE(movements.credit_sales, 0) AS credit_sales
                      FROM months
                 LEFT JOIN movements ON movements.company_id = months.company_id
                                    AND movements.month = months.month
                )
                SELECT balances.company_id * 100000
                           + (EXTRACT(YEAR FROM balances.month) * 12 + EXTRACT(MONTH FROM balances.month))::int AS id,
                       balances.company_id,
                       company.currency_id,
                       balances.month_end AS date,
                       balances.receivable,
                       balances.credit_sales,
                       LEAST(balances.month_end, CURRENT_DATE) - balances.month + 1 AS days,
                       ROUND(balances.receivable * (LEAST(balances.month_end, CURRENT_DATE) - balances.month + 1)
                             / NULLIF(balances.credit_sales, 0), 1) AS dso
                  FROM balances
                  JOIN res_company company ON company.id = balances.company_id
            )
            """,
                SQL.identifier(self._table),
            )
        )
