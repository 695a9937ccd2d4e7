from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .account_followup_channel import ChannelOutcome
from .account_followup_step_channel import (
    CHANNEL_BOUNCED,
    CHANNEL_FAILED,
    CHANNEL_QUEUED,
    CHANNEL_SENT,
    CHANNEL_SKIPPED,
    CHANNEL_TO_DO,
)

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
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    level_id = fields.Many2one(
        "account.followup.level",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
        check_company=True,
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
        help="Done entirely by the scheduled action; a step a person completed is that person's.",
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
        check_company=True,
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

    @api.depends("channel_ids.state", "channel_ids.channel", "channel_ids.reason")
    def _compute_channel_summary(self):
        for step in self:
            step.channel_summary = ", ".join(
                f"{channel._get_channel_label()}: {channel._get_state_label()}"
                + (
                    f" ({channel.reason})"
                    if channel.state in (CHANNEL_FAILED, CHANNEL_BOUNCED) and channel.reason
                    else ""
                )
                for channel in step.channel_ids
            )

    # ------------------------------------------------------------
    # CRUD METHODS
    # ------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("Follow-up steps are the history of what was done: they cannot be deleted."))

    # ------------------------------------------------------------
    # BUSINESS METHODS (called by account.followup._record_step only)
    # ------------------------------------------------------------

    @api.model
    def _prepare_channel_vals(self, outcome, code, sequence=0):
        vals = {
            "channel": code,
            "sequence": sequence,
            "state": outcome.state,
            "note": outcome.note,
            "reason": outcome.reason,
            "user_id": self.env.uid,
            "done_date": fields.Date.context_today(self),
        }
        # What it produced; a row completed later keeps what it had (its activity).
        if outcome.message:
            vals["message_id"] = outcome.message.id
        if outcome.activity:
            vals["activity_id"] = outcome.activity.id
        if outcome.record:
            vals.update(res_model=outcome.record._name, res_id=outcome.record.id)
        return vals

    @api.model
    def _prepare_channels_vals(self, level, outcomes, channels, existing=()):
        """Rows of the channels run, and "to do" rows for the level's other channels."""
        vals_list = [
            self._prepare_channel_vals(outcome, channel.code, sequence)
            for sequence, (channel, outcome) in enumerate(outcomes)
        ]
        done = {channel.code for channel, _outcome in outcomes} | set(existing)
        waiting = ChannelOutcome(CHANNEL_TO_DO, _("waiting for a person"))
        vals_list += [
            self._prepare_channel_vals(waiting, channel.code, len(outcomes) + sequence)
            for sequence, channel in enumerate(channels)
            if channel.is_enabled(level) and channel.code not in done
        ]
        return vals_list

    def _set_outcomes(self, outcomes, channels):
        """Write the outcome of each channel run on a step in progress; the
        level's other channels stay to do."""
        self.ensure_one()
        new = []
        for channel, outcome in outcomes:
            row = self.channel_ids.filtered(lambda c, code=channel.code: c.channel == code and c.state == CHANNEL_TO_DO)
            if row:
                row[:1].write(self._prepare_channel_vals(outcome, channel.code, row[:1].sequence))
            elif channel.code == "letter" and self.channel_ids.filtered(
                lambda c: c.channel == "letter" and c.state in (CHANNEL_SENT, CHANNEL_QUEUED)
            ):
                # A copy of a letter already printed or posted is not a second letter.
                continue
            else:
                new.append((channel, outcome))
        vals_list = self._prepare_channels_vals(
            self.level_id, new, channels, existing=self.channel_ids.mapped("channel")
        )
        self.env["account.followup.step.channel"].create([{**vals, **self._get_row_keys()} for vals in vals_list])

    def _get_row_keys(self):
        return {
            "step_id": self.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "level_id": self.level_id.id,
            "date": self.date,
        }

    def _close(self, reason=None):
        """The level is done for the customer: what is still to do is skipped
        with ``reason``, the items receive the level, its activities close.

        The engine's bookkeeping, written with sudo() on these steps only:
        users never write steps, the engine completes them for the person who
        acted, after that person's rights check (account.followup._record_step).
        Charges are not invoiced here: a level overtaken by a higher one was
        not done by anybody."""
        for step in self.sudo().filtered(lambda s: s.state == STEP_IN_PROGRESS):
            todo = step.channel_ids.filtered(lambda c: c.state == CHANNEL_TO_DO)
            activities = step.channel_ids.activity_id
            todo.write(
                {
                    "state": CHANNEL_SKIPPED,
                    "reason": reason or _("not done"),
                    "user_id": self.env.uid,
                    "done_date": fields.Date.context_today(self),
                }
            )
            step.state = STEP_DONE
            self.env["account.followup"]._record_item_levels(step)
            if activities.exists():
                activities.exists().action_feedback(feedback=_("Follow-up done"))
