from odoo import _, api, fields, models
from odoo.exceptions import UserError

STEP_IN_PROGRESS = "in_progress"
STEP_DONE = "done"


class AccountFollowupStep(models.Model):
    """One follow-up level executed for one customer: the history.

    A step is what "never twice" is decided from: the scheduled action and every
    person's path record their work through ``account.followup._record_step``
    and nothing else. Users read steps; nobody edits or deletes them (the access
    rights give read only; the engine writes after its own rights check).
    """

    _name = "account.followup.step"
    _description = "Follow-up Step"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    level_id = fields.Many2one(
        "account.followup.level",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
    )
    date = fields.Date(required=True, index=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Done By",
        required=True,
        readonly=True,
        help="Who executed the step; for automated steps, the scheduled action's user.",
    )
    responsible_id = fields.Many2one(
        "res.users",
        readonly=True,
        index="btree_not_null",
        help="The customer's follow-up responsible when the step was executed.",
    )
    automatic = fields.Boolean(
        readonly=True,
        help="Executed by the scheduled action, not by a person.",
    )
    state = fields.Selection(
        [(STEP_IN_PROGRESS, "In progress"), (STEP_DONE, "Done")],
        required=True,
        default=STEP_DONE,
        readonly=True,
        help="In progress: an action of the level waits for a person. Done: each "
        "action of the level was done or skipped with its reason.",
    )
    move_line_ids = fields.Many2many(
        "account.move.line",
        "account_followup_step_move_line_rel",
        "step_id",
        "move_line_id",
        string="Journal Items",
        readonly=True,
        help="The open items of the customer the step concerned.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_due = fields.Monetary(readonly=True, help="What the customer owed when the step was executed.")
    amount_overdue = fields.Monetary(readonly=True, help="What was overdue when the step was executed.")
    channel_ids = fields.One2many("account.followup.step.channel", "step_id", string="Actions", readonly=True)
    channel_summary = fields.Char(string="Outcome", compute="_compute_channel_summary")

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("level_id", "partner_id", "date")
    def _compute_display_name(self):
        for step in self:
            step.display_name = _(
                "%(level)s — %(customer)s",
                level=step.level_id.name or "",
                customer=step.partner_id.display_name or "",
            )

    @api.depends("channel_ids.state", "channel_ids.channel")
    def _compute_channel_summary(self):
        for step in self:
            step.channel_summary = ", ".join(
                f"{channel._get_channel_label()}: {channel._get_state_label()}" for channel in step.channel_ids
            )

    # ------------------------------------------------------------
    # CRUD METHODS
    # ------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("Follow-up steps are the history of what was done: they cannot be deleted."))
