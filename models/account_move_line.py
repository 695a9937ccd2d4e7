from odoo import fields, models

# Kinds of line of a late-payment charges invoice (see account.followup.step).
CHARGE_FEE = "fee"
CHARGE_INTEREST = "interest"
CHARGE_COMPENSATION = "compensation"
# Extrajudicial collection costs of a consumer (Dutch BIK scale), after a 14-day notice.
CHARGE_COLLECTION_COSTS = "collection_costs"


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    followup_level_id = fields.Many2one(
        "account.followup.level",
        string="Follow-up Level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The last follow-up level this item received: it never receives it, or a lower one, again.",
    )
    followup_date = fields.Date(
        string="Last Follow-up",
        copy=False,
        readonly=True,
    )
    # On the lines of a late-payment charges invoice: what each one charges, for
    # which invoice. This is what "never twice" is read from (and, for the
    # compensation, enforced by a unique index): a charge exists from the moment
    # its charges invoice is created; deleting the draft releases it, cancelling
    # or reversing the invoice waives it.
    followup_charge_type = fields.Selection(
        [
            (CHARGE_FEE, "Reminder fee"),
            (CHARGE_INTEREST, "Late-payment interest"),
            (CHARGE_COMPENSATION, "Compensation"),
            (CHARGE_COLLECTION_COSTS, "Collection costs"),
        ],
        string="Late-payment Charge",
        copy=False,
        readonly=True,
    )
    followup_charged_move_id = fields.Many2one(
        "account.move",
        string="Charged Invoice",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The overdue invoice this interest or compensation is charged for.",
    )
    followup_charged_line_id = fields.Many2one(
        "account.move.line",
        string="Charged Item",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The overdue journal item (installment) this interest is charged for.",
    )
    followup_notice_step_id = fields.Many2one(
        "account.followup.step",
        string="14-day Notice",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The follow-up step whose 14-day notice these collection costs are charged after.",
    )
    followup_interest_date_from = fields.Date(string="Interest From", copy=False, readonly=True)
    followup_interest_date_to = fields.Date(string="Interest To", copy=False, readonly=True)

    def init(self):
        res = super().init()
        # The recovery compensation is charged once per invoice in its life: a
        # second worker, or a re-run on stale data, fails here instead of
        # charging it twice. A partial unique index (the ORM's constraints have
        # no WHERE clause).
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS account_move_line_followup_compensation_once
                ON account_move_line (followup_charged_move_id)
             WHERE followup_charge_type = 'compensation'
            """
        )
        # The collection costs of a consumer are charged once per 14-day notice.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS account_move_line_followup_collection_costs_once
                ON account_move_line (followup_notice_step_id)
             WHERE followup_charge_type = 'collection_costs'
            """
        )
        return res
