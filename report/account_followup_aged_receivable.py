from odoo import api, fields, models
from odoo.tools import SQL


class AccountFollowupAgedReceivable(models.Model):
    """Open receivables per customer in aging columns, read-only (a report read from SQL).

    Amounts are in company currency; columns are counted from each item's due
    date to today."""

    _name = "account.followup.aged.receivable"
    _description = "Aged Receivable"
    _auto = False
    _order = "total desc"
    _rec_name = "partner_id"
    # Every column the query reads, its open items included (``_open_items_sql``).
    _depends = {
        "account.move.line": [
            "account_id",
            "amount_residual",
            "amount_residual_currency",
            "blocked",
            "company_id",
            "currency_id",
            "date",
            "date_maturity",
            "followup_level_id",
            "invoice_date",
            "move_id",
            "parent_state",
            "partner_id",
            "reconciled",
        ],
        "account.move": [
            "date",
            "expected_payment_date",
            "followup_excluded",
            "followup_in_dispute",
            "invoice_date",
            "name",
            "payment_reference",
            "ref",
        ],
        "account.account": ["account_type"],
        "account.followup.level": ["delay"],
        "account.followup.plan": ["active", "company_id", "filter_domain", "sequence"],
        "ir.property": ["company_id", "fields_id", "res_id", "value_reference", "value_text"],
        "ir.model.fields": ["model", "name"],
        "res.company": ["currency_id", "followup_default_plan_id"],
        "res.partner": ["commercial_partner_id", "user_id"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    # Columns of the query, not related fields: the responsible and the trust
    # are company-dependent (ir.property), which the ORM cannot group by.
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    followup_responsible_id = fields.Many2one("res.users", string="Follow-up Responsible", readonly=True)
    trust = fields.Selection(
        [("good", "Good Debtor"), ("normal", "Normal Debtor"), ("bad", "Bad Debtor")],
        readonly=True,
    )
    followup_plan_id = fields.Many2one("account.followup.plan", string="Follow-up Plan", readonly=True)
    not_due = fields.Monetary(readonly=True)
    days_1_30 = fields.Monetary(string="1-30", readonly=True)
    days_31_60 = fields.Monetary(string="31-60", readonly=True)
    days_61_90 = fields.Monetary(string="61-90", readonly=True)
    days_91_120 = fields.Monetary(string="91-120", readonly=True)
    older = fields.Monetary(readonly=True)
    total = fields.Monetary(readonly=True)

    @property
    def _table_query(self):
        # An SQL object is used as the table as it is: the parentheses make it a subquery.
        return SQL("(%s %s %s %s)", self._select(), self._from(), self._where(), self._group_by())

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT MIN(items.id) AS id,
                   items.partner_id,
                   items.company_id,
                   company.currency_id,
                   SUM(items.residual) FILTER (WHERE CURRENT_DATE - items.due_date <= 0) AS not_due,
                   SUM(items.residual) FILTER (WHERE CURRENT_DATE - items.due_date BETWEEN 1 AND 30) AS days_1_30,
                   SUM(items.residual) FILTER (WHERE CURRENT_DATE - items.due_date BETWEEN 31 AND 60) AS days_31_60,
                   SUM(items.residual) FILTER (WHERE CURRENT_DATE - items.due_date BETWEEN 61 AND 90) AS days_61_90,
                   SUM(items.residual) FILTER (WHERE CURRENT_DATE - items.due_date BETWEEN 91 AND 120) AS days_91_120,
                   SUM(items.residual) FILTER (WHERE CURRENT_DATE - items.due_date > 120) AS older,
                   SUM(items.residual) AS total,
                   partner.user_id,
                   %(responsible)s AS followup_responsible_id,
                   COALESCE(%(trust)s, 'normal') AS trust,
                   %(plan)s AS followup_plan_id
            """,
            plan=self._plan_sql(),
            responsible=self._company_property_sql(
                "followup_responsible_id", SQL("split_part(prop.value_reference, ',', 2)::int")
            ),
            trust=self._company_property_sql("trust", SQL("prop.value_text")),
        )

    @api.model
    def _from(self):
        return SQL(
            """
              FROM (%(items)s) items
              JOIN res_company company ON company.id = items.company_id
              JOIN res_partner partner ON partner.id = items.partner_id
            """,
            # The engine's own open items: the same due date, the same items.
            items=self.env["account.followup"]._open_items_sql(),
        )

    @api.model
    def _where(self):
        """Every open item of the engine; a module that leaves some out returns its own ``WHERE``."""
        return SQL()

    @api.model
    def _group_by(self):
        return SQL("GROUP BY items.partner_id, items.company_id, company.currency_id, partner.user_id")

    @api.model
    def _plan_sql(self):
        """The customer's follow-up plan in the item's company (the engine's
        rule, ``account.followup.plan._get_partner_plan_sql``), for the
        companies the user works in: the report's rows are theirs."""
        Plan = self.env["account.followup.plan"]
        cases = [
            SQL("WHEN %s THEN %s", company.id, Plan._get_partner_plan_sql(company, SQL("items.partner_id")))
            for company in self.env.companies
        ]
        if not cases:
            return SQL("NULL::int")
        return SQL("CASE items.company_id %s END", SQL(" ").join(cases))

    @api.model
    def _company_property_sql(self, fname, value):
        """The company's value of a company-dependent field of the customer: the
        customer's own, else the default (ir.property semantics).

        :param value: the SQL expression of the value, from ``prop`` (the ir_property row)
        """
        return SQL(
            """(
                SELECT %(value)s
                  FROM ir_property prop
                  JOIN ir_model_fields field ON field.id = prop.fields_id
                 WHERE field.model = 'res.partner' AND field.name = %(fname)s
                   AND (prop.company_id = items.company_id OR prop.company_id IS NULL)
                   AND (prop.res_id = 'res.partner,' || items.partner_id OR prop.res_id IS NULL)
              ORDER BY prop.res_id NULLS LAST, prop.company_id NULLS LAST
                 LIMIT 1
            )""",
            value=value,
            fname=fname,
        )

    def action_open_statement(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_followup_open_statement()
