from odoo import fields, models, tools
from odoo.tools import SQL


class AccountFollowupAgedReceivable(models.Model):
    """Open receivables per customer in aging columns, read-only (a SQL view).

    Amounts are in company currency; columns are counted from each item's due
    date to today."""

    _name = "account.followup.aged.receivable"
    _description = "Aged Receivable"
    _auto = False
    _order = "total desc"
    _rec_name = "partner_id"
    _depends = {
        "ir.property": ["value_reference", "value_text", "res_id", "company_id"],
        "account.move.line": [
            "amount_residual",
            "date_maturity",
            "parent_state",
            "reconciled",
            "company_id",
            "partner_id",
            "blocked",
            "followup_level_id",
        ],
        "account.move": ["invoice_date", "date", "followup_excluded", "followup_in_dispute", "expected_payment_date"],
        "res.partner": ["commercial_partner_id", "user_id"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    # Columns of the view, not related fields: the responsible and the trust
    # are company-dependent (ir.property), which the ORM cannot group by.
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    followup_responsible_id = fields.Many2one("res.users", string="Follow-up Responsible", readonly=True)
    trust = fields.Selection(
        [("good", "Good Debtor"), ("normal", "Normal Debtor"), ("bad", "Bad Debtor")],
        readonly=True,
    )
    not_due = fields.Monetary(readonly=True)
    days_1_30 = fields.Monetary(string="1-30", readonly=True)
    days_31_60 = fields.Monetary(string="31-60", readonly=True)
    days_61_90 = fields.Monetary(string="61-90", readonly=True)
    days_91_120 = fields.Monetary(string="91-120", readonly=True)
    older = fields.Monetary(readonly=True)
    total = fields.Monetary(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %s AS (
                WITH items AS (%s),
                aged AS (
                    SELECT MIN(items.id) AS id,
                           items.partner_id,
                           items.company_id,
                           company.currency_id,
                           SUM(residual) FILTER (WHERE CURRENT_DATE - due_date <= 0) AS not_due,
                           SUM(residual) FILTER (WHERE CURRENT_DATE - due_date BETWEEN 1 AND 30) AS days_1_30,
                           SUM(residual) FILTER (WHERE CURRENT_DATE - due_date BETWEEN 31 AND 60) AS days_31_60,
                           SUM(residual) FILTER (WHERE CURRENT_DATE - due_date BETWEEN 61 AND 90) AS days_61_90,
                           SUM(residual) FILTER (WHERE CURRENT_DATE - due_date BETWEEN 91 AND 120) AS days_91_120,
                           SUM(residual) FILTER (WHERE CURRENT_DATE - due_date > 120) AS older,
                           SUM(residual) AS total
                      FROM items
                      JOIN res_company company ON company.id = items.company_id
                  GROUP BY items.partner_id, items.company_id, company.currency_id
                )
                SELECT aged.*,
                       partner.user_id,
                       responsible.user_id AS followup_responsible_id,
                       COALESCE(trust.value, 'normal') AS trust
                  FROM aged
                  JOIN res_partner partner ON partner.id = aged.partner_id
                  -- The company's value of a company-dependent field: the
                  -- customer's own, else the default (ir.property semantics).
                  LEFT JOIN LATERAL (
                        SELECT split_part(prop.value_reference, ',', 2)::int AS user_id
                          FROM ir_property prop
                          JOIN ir_model_fields field ON field.id = prop.fields_id
                         WHERE field.model = 'res.partner' AND field.name = 'followup_responsible_id'
                           AND (prop.company_id = aged.company_id OR prop.company_id IS NULL)
                           AND (prop.res_id = 'res.partner,' || aged.partner_id OR prop.res_id IS NULL)
                      ORDER BY prop.res_id NULLS LAST, prop.company_id NULLS LAST
                         LIMIT 1
                  ) responsible ON TRUE
                  LEFT JOIN LATERAL (
                        SELECT prop.value_text AS value
                          FROM ir_property prop
                          JOIN ir_model_fields field ON field.id = prop.fields_id
                         WHERE field.model = 'res.partner' AND field.name = 'trust'
                           AND (prop.company_id = aged.company_id OR prop.company_id IS NULL)
                           AND (prop.res_id = 'res.partner,' || aged.partner_id OR prop.res_id IS NULL)
                      ORDER BY prop.res_id NULLS LAST, prop.company_id NULLS LAST
                         LIMIT 1
                  ) trust ON TRUE
            )
            """,
                SQL.identifier(self._table),
                # The engine's own open items: the same due date, the same items.
                self.env["account.followup"]._open_items_sql(),
            )
        )

    def action_open_statement(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_followup_open_statement()
