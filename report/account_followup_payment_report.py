from odoo import api, fields, models
from odoo.tools import SQL

from .account_followup_analysis_mixin import ITEM_DUE_DATE_SQL


class AccountFollowupPaymentReport(models.Model):
    """When customers paid: one row per paid receivable item (a report read from SQL).

    A receivable debit item (an invoice, or one installment of it) is paid
    when it is fully reconciled; its *payment date* is the date of the last
    reconciliation that paid it (the later of the payment's and the invoice's
    dates). Credit notes are not payments: an invoice cancelled by a credit
    note is not a paid invoice, and its credit note does not date a payment. *Days late*: from the due date to the payment date,
    negative when paid early; the average of a group (of a customer: its
    average days late).
    """

    _name = "account.followup.payment.report"
    _description = "Payment Delays"
    _auto = False
    _order = "payment_date desc, id desc"
    _rec_name = "move_name"
    _depends = {
        "account.move.line": [
            "balance",
            "move_name",
            "date_maturity",
            "invoice_date",
            "date",
            "parent_state",
            "reconciled",
            "account_id",
            "company_id",
            "partner_id",
            "move_id",
            "company_currency_id",
        ],
        "account.move": ["move_type"],
        "account.account": ["account_type"],
        "account.partial.reconcile": ["max_date", "debit_move_id", "credit_move_id"],
        "res.partner": ["commercial_partner_id"],
    }

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_name = fields.Char(string="Number", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    followup_responsible_id = fields.Many2one(related="partner_id.followup_responsible_id")
    invoice_date = fields.Date(readonly=True)
    due_date = fields.Date(readonly=True)
    payment_date = fields.Date(readonly=True)
    days_late = fields.Float(
        string="Days Late (average)",
        readonly=True,
        group_operator="avg",
        help="Days from the due date to the payment (negative: paid early); the average of a group.",
    )
    amount = fields.Monetary(readonly=True, help="Amount of the item, in the company's currency.")

    @property
    def _table_query(self):
        # An SQL object is used as the table as it is: the parentheses make it a subquery.
        return SQL("(%s %s %s)", self._select(), self._from(), self._where())

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT aml.id,
                   aml.move_id,
                   aml.move_name,
                   aml.company_id,
                   aml.company_currency_id AS currency_id,
                   partner.commercial_partner_id AS partner_id,
                   aml.invoice_date,
                   %(due_date)s AS due_date,
                   paid.payment_date,
                   paid.payment_date - %(due_date)s AS days_late,
                   aml.balance AS amount
            """,
            due_date=ITEM_DUE_DATE_SQL,
        )

    @api.model
    def _from(self, per_item=False):
        """The paid items with their payment date: the last reconciliation of
        each debit that was not a credit note.

        :param per_item: read each item's reconciliations on their own
            (``LATERAL``) rather than all of them grouped at once: for a few
            items (one customer's), where the database cannot push the filter
            into the grouped reconciliations of every customer
        """
        not_refund = SQL(
            """NOT EXISTS (
                    SELECT 1
                      FROM account_move_line refund_line
                      JOIN account_move refund ON refund.id = refund_line.move_id
                     WHERE refund_line.id = apr.credit_move_id
                       AND refund.move_type = 'out_refund'
               )"""
        )
        if per_item:
            paid = SQL(
                """JOIN LATERAL (
                   SELECT MAX(apr.max_date) AS payment_date
                     FROM account_partial_reconcile apr
                    WHERE apr.debit_move_id = aml.id
                      AND %s
                 ) paid ON paid.payment_date IS NOT NULL""",
                not_refund,
            )
        else:
            paid = SQL(
                """JOIN (
                   SELECT apr.debit_move_id, MAX(apr.max_date) AS payment_date
                     FROM account_partial_reconcile apr
                    WHERE %s
                 GROUP BY apr.debit_move_id
                 ) paid ON paid.debit_move_id = aml.id""",
                not_refund,
            )
        return SQL(
            """
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner partner ON partner.id = aml.partner_id
              %s
            """,
            paid,
        )

    @api.model
    def _read_partner_payments(self, partner, company, limit):
        """The last ``limit`` rows of one customer in ``company``, latest
        first, as dicts: the report's rows read for that customer only (its
        statement's payment behaviour; the caller checked it may read it)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """%s %s %s
                   AND partner.commercial_partner_id = %s
                   AND aml.company_id = %s
              ORDER BY paid.payment_date DESC, aml.id DESC
                 LIMIT %s""",
                self._select(),
                self._from(per_item=True),
                self._where(),
                partner.commercial_partner_id.id,
                company.id,
                limit,
            )
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _where(self):
        return SQL(
            """
             WHERE aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND aml.balance > 0
               AND aml.reconciled
            """
        )

    # ------------------------------------------------------------
    # ACTION METHODS
    # ------------------------------------------------------------

    def action_open_invoice(self):
        self.ensure_one()
        return self.move_id.get_formview_action()
