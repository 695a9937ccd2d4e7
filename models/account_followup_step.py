from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..followup.channels import ChannelOutcome
from ..followup.definitions import (
    CHANNEL_BOUNCED,
    CHANNEL_FAILED,
    CHANNEL_QUEUED,
    CHANNEL_SENT,
    CHANNEL_SKIPPED,
    CHANNEL_TO_DO,
    DUE_DATE_SQL,
)

# Actions that reached the customer or were handed to a person (to do, then
# done); a skipped or failed action did not chase anyone.
EFFECTIVE_CHANNEL_STATES = ("sent", "queued", "to_do", "done")
# Actions that left for the customer (the e-mail sent or queued, the letter printed or posted).
SENT_CHANNEL_STATES = ("sent", "queued")

# When a 14-day notice reached the customer, per action and outcome: an e-mail
# on the day it was sent (queued for sending, or sent); a letter two days after
# it was printed, or posted by Snailmail (the Dutch courts' usual presumption).
# A bounced or failed e-mail, a skipped letter, a letter not yet printed or
# posted: not delivered.
NOTICE_DELIVERY_DAYS = {
    "email": {CHANNEL_QUEUED: 0, CHANNEL_SENT: 0},
    "letter": {CHANNEL_SENT: 2},
}

STEP_IN_PROGRESS = "in_progress"
STEP_DONE = "done"


class AccountFollowupStep(models.Model):
    """One follow-up level executed for one customer: the history.

    A step is what "never twice" is decided from: the scheduled action and every
    person's path record their work through ``account.followup._record_step``
    and nothing else. Users read steps; nobody edits or deletes them (the access
    rights give read only; the engine writes after its own rights check).

    Its payment figures are stored on it. The follow-up analysis groups and
    filters steps by the thousand; working
    out, at every click, what each step's items owed on its date and what was
    paid after it means joining every step with the journal items and the
    reconciliations (seconds at 150,000 steps). The figures are stored here
    instead and computed by one SQL query for a batch of steps, again whenever
    a reconciliation of one of their items is made or undone.

    * ``amount_concerned``: what the step's receivable debits (invoices,
      installments) still owed on the step date: their amount minus their
      reconciliations dated on or before it;
    * ``paid_7/14/30``: the part of it settled by reconciliations dated in the
      7, 14, 30 days after the step (its day excluded, the last day included);
      ``paid_since``: after the step, up to now. A reconciliation with a credit
      note is not money in and pays nothing;
    * ``paid_date``: the date of the payment that paid the last of the amount
      concerned, empty while it is not entirely paid.
    """

    _name = "account.followup.step"
    _inherit = ["account.followup.charges.mixin"]
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
    plan_id = fields.Many2one(
        related="level_id.plan_id",
        store=True,
        precompute=True,
        index=True,
        string="Follow-up Plan",
        help="The customer's follow-up plan the step's level belongs to.",
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

    # Late-payment charges (see account.followup.charges.mixin)
    charge_move_ids = fields.One2many("account.move", "followup_step_id", string="Charges Invoices", readonly=True)
    charge_move_id = fields.Many2one(
        "account.move",
        string="Late Payment Charges",
        compute="_compute_charge_move_id",
        store=True,
        precompute=True,
        index="btree_not_null",
        help="The customer invoice of the late-payment charges (fee, interest, compensation) of this step.",
    )

    # The 14-day notice to a consumer (a level's ``consumer_notice``): the
    # collection costs it stated, and the day it reached the customer.
    notice_amount = fields.Monetary(
        string="Collection Costs Notified",
        readonly=True,
        help="The collection costs (BIK scale) the 14-day notice of this step stated to the consumer.",
    )
    notice_date = fields.Date(
        string="Notice Received on",
        compute="_compute_notice_date",
        store=True,
        precompute=True,
        help="The day the 14-day notice reached the customer: the day its e-mail was sent, two days "
        "after its letter was printed or posted. Empty while it has not, or if it could not be "
        "delivered: then it allows no collection costs.",
    )
    notice_costs_line_ids = fields.One2many(
        "account.move.line",
        "followup_notice_step_id",
        string="Collection Costs Charged",
        readonly=True,
        help="The collection costs charged after this notice, on a later step's charges invoice.",
    )

    # What the money did after the step: the effectiveness figures (below)
    amount_concerned = fields.Monetary(
        # Not readonly for the ORM only: the figures given at creation (the
        # scheduled action reads them for its whole batch, see
        # _get_new_step_figures) are kept instead of computed again. Nobody
        # writes a step but the engine (ir.model.access.csv), no view edits it.
        readonly=False,
        compute="_compute_payment_figures",
        store=True,
        help="What the step's invoices still owed on the step date.",
    )
    paid_7 = fields.Monetary(string="Paid within 7 Days", compute="_compute_payment_figures", store=True)
    paid_14 = fields.Monetary(string="Paid within 14 Days", compute="_compute_payment_figures", store=True)
    paid_30 = fields.Monetary(string="Paid within 30 Days", compute="_compute_payment_figures", store=True)
    paid_since = fields.Monetary(
        compute="_compute_payment_figures", store=True, help="Paid after the step, up to today."
    )
    paid_date = fields.Date(
        string="Paid in Full on",
        compute="_compute_payment_figures",
        store=True,
        help="When the last of the amount concerned was paid; empty while it is not.",
    )
    main_channel = fields.Selection(
        selection="_selection_main_channel",
        string="Main Action",
        compute="_compute_main_channel",
        store=True,
        precompute=True,
        help="The most personal action of the step that reached the customer or a person: "
        "manual action, then letter, SMS, e-mail.",
    )
    # For the search views: the steps with an action of a channel, whatever the
    # channels of the table (followup/channels/).
    used_channel = fields.Selection(
        selection="_selection_main_channel",
        string="With Action",
        compute="_compute_used_channel",
        search="_search_used_channel",
        help="The steps with an action of this channel that reached the customer or a person.",
    )
    sent_channel = fields.Selection(
        selection="_selection_main_channel",
        string="Sent By",
        compute="_compute_used_channel",
        search="_search_sent_channel",
        help="The steps with an action of this channel sent (or queued) to the customer.",
    )

    @api.model
    def _selection_main_channel(self):
        """The channels of the table, the most personal first (their weight)."""
        channels = sorted(self.env["account.followup"]._get_channels(), key=lambda channel: -channel.weight)
        return [(channel.code, channel.title()) for channel in channels]

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("charge_move_ids")
    def _compute_charge_move_id(self):
        for step in self:
            # at most one: account.move's unique constraint on followup_step_id
            step.charge_move_id = step.charge_move_ids[:1]

    @api.depends("notice_amount", "channel_ids.channel", "channel_ids.state", "channel_ids.done_date")
    def _compute_notice_date(self):
        for step in self:
            days = []
            if step.notice_amount:
                for row in step.channel_ids.filtered("done_date"):
                    delay = NOTICE_DELIVERY_DAYS.get(row.channel, {}).get(row.state)
                    if delay is not None:
                        days.append(row.done_date + timedelta(days=delay))
            step.notice_date = min(days) if days else False

    @api.depends("date", "move_line_ids.balance", "move_line_ids.matched_credit_ids")
    def _compute_payment_figures(self):
        steps = self.filtered(lambda step: isinstance(step.id, int))
        (self - steps).update(
            {
                "amount_concerned": 0,
                "paid_7": 0,
                "paid_14": 0,
                "paid_30": 0,
                "paid_since": 0,
                "paid_date": False,
            }
        )
        if not steps:
            return
        # SQL: the reconciliations of every item of every step, set-based.
        steps.flush_recordset(["date", "move_line_ids"])
        self.env["account.move.line"].flush_model(["balance", "move_id"])
        self.env["account.move"].flush_model(["move_type"])
        self.env["account.partial.reconcile"].flush_model(["amount", "max_date", "debit_move_id", "credit_move_id"])
        figures = dict.fromkeys(steps.ids, (0, 0, 0, 0, 0, None))
        self.env.cr.execute(self._get_payment_figures_query(steps.ids))
        figures.update({row[0]: row[1:] for row in self.env.cr.fetchall()})
        for step in steps:
            amount, paid_7, paid_14, paid_30, paid_since, paid_date = figures[step.id]
            step.update(
                {
                    "amount_concerned": amount,
                    "paid_7": paid_7,
                    "paid_14": paid_14,
                    "paid_30": paid_30,
                    "paid_since": paid_since,
                    "paid_date": paid_date,
                }
            )

    @api.depends("channel_ids.channel", "channel_ids.state")
    def _compute_main_channel(self):
        weights = {channel.code: channel.weight for channel in self.env["account.followup"]._get_channels()}
        for step in self:
            used = step.channel_ids.filtered(lambda channel: channel.state in EFFECTIVE_CHANNEL_STATES).mapped(
                "channel"
            )
            step.main_channel = max(used, key=lambda code: weights.get(code, 0), default=False)

    def _compute_used_channel(self):
        # Search fields: a step has several actions, the field one value.
        self.used_channel = self.sent_channel = False

    def _search_used_channel(self, operator, value):
        return self._get_channel_domain(operator, value, EFFECTIVE_CHANNEL_STATES)

    def _search_sent_channel(self, operator, value):
        return self._get_channel_domain(operator, value, SENT_CHANNEL_STATES)

    @api.model
    def _get_channel_domain(self, operator, value, states):
        """The steps with an action in ``states`` whose channel is ``operator
        value`` ("!=" and "not in": the steps without such an action)."""
        negative = {"!=": "=", "not in": "in"}
        if operator not in ("=", "in", *negative):
            raise UserError(_("Search the steps by the channel of their actions: is, is not, is in, is not in."))
        domain = [
            ("channel_ids", "any", [("channel", negative.get(operator, operator), value), ("state", "in", states)])
        ]
        return ["!", *domain] if operator in negative else domain

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
            elif channel.one_per_step and self.channel_ids.filtered(
                lambda c, code=channel.code: c.channel == code and c.state in (CHANNEL_SENT, CHANNEL_QUEUED)
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
            step._record_item_levels()
            if activities.exists():
                activities.exists().action_feedback(feedback=_("Follow-up done"))

    def _record_item_levels(self):
        """Each item of this done step receives the level it has reached (up to the
        step's level, never lower than what it had): the index "never twice" is
        read from, written in the step's transaction. Follow-up bookkeeping only
        (no amount, account or tax): one query whatever the number of items,
        where the ORM would run account.move.line.write's invoice
        synchronisation for nothing."""
        self.ensure_one()
        step = self
        Line = self.env["account.move.line"]
        # Everything the query reads or writes: the items' due dates and levels,
        # the levels of the step's plan (the customer's: a level an item has
        # reached is its plan's; compared with what it received by delay,
        # whatever plan that was in).
        Line.flush_model(["followup_level_id", "followup_date", "date_maturity", "invoice_date", "date"])
        self.env["account.followup.level"].flush_model(["plan_id", "active", "delay"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move_line target
                   SET followup_level_id = reached.level_id, followup_date = %(date)s,
                       write_uid = %(uid)s, write_date = (now() at time zone 'UTC')
                  FROM (
                        SELECT aml.id, new_level.id AS level_id
                          FROM account_move_line aml
                          JOIN LATERAL (
                                SELECT level.id, level.delay
                                  FROM account_followup_level level
                                 WHERE level.plan_id = %(plan)s
                                   AND level.active
                                   AND level.delay <= %(ceiling)s
                                   AND level.delay <= %(date)s - %(due_date)s
                              ORDER BY level.delay DESC
                                 LIMIT 1
                               ) new_level ON TRUE
                     LEFT JOIN account_followup_level received ON received.id = aml.followup_level_id
                         WHERE aml.id = ANY(%(ids)s)
                           AND (received.id IS NULL OR received.delay < new_level.delay)
                       ) reached
                 WHERE target.id = reached.id
             RETURNING target.id
                """,
                date=step.date,
                uid=self.env.uid,
                plan=step.level_id.plan_id.id,
                ceiling=step.level_id.delay,
                due_date=SQL(DUE_DATE_SQL),
                ids=step.move_line_ids.ids,
            )
        )
        written = [row[0] for row in self.env.cr.fetchall()]
        Line.browse(written).invalidate_recordset(["followup_level_id", "followup_date", "write_uid", "write_date"])

    @api.model
    def _get_payment_figures_query(self, step_ids=None, new_steps=None):
        """One row per step of ``step_ids`` with items: id, amount concerned,
        paid within 7, 14, 30 days, paid since, date paid in full.

        :param dict new_steps: instead, steps about to be created: {key:
            (date, item ids)}, the rows keyed by ``key`` (the scheduled action
            creates its steps with their figures, see _get_new_step_figures)
        """
        if new_steps is not None:
            keys, dates, lines = [], [], []
            for key, (day, item_ids) in new_steps.items():
                for item_id in item_ids:
                    keys.append(key)
                    dates.append(day)
                    lines.append(item_id)
            concerned = SQL(
                "SELECT * FROM unnest(%s::int[], %s::date[], %s::int[]) AS new(step_id, date, move_line_id)",
                keys,
                dates,
                lines,
            )
        else:
            concerned = SQL(
                """
                SELECT rel.step_id, step.date, rel.move_line_id
                  FROM account_followup_step_move_line_rel rel
                  JOIN account_followup_step step ON step.id = rel.step_id
                 WHERE rel.step_id = ANY(%s)
                """,
                list(step_ids),
            )
        return SQL(
            """
            WITH concerned AS (%(concerned)s
            ), items AS (
                SELECT concerned.step_id, SUM(aml.balance) AS balance
                  FROM concerned
                  JOIN account_move_line aml ON aml.id = concerned.move_line_id
                 WHERE aml.balance > 0
              GROUP BY concerned.step_id
            ), reconciliations AS (
                SELECT concerned.step_id, concerned.date, apr.amount, apr.max_date,
                       apr.max_date > concerned.date AND NOT EXISTS (
                           SELECT 1
                             FROM account_move_line refund_line
                             JOIN account_move refund ON refund.id = refund_line.move_id
                            WHERE refund_line.id = apr.credit_move_id
                              AND refund.move_type = 'out_refund'
                       ) AS paying
                  FROM concerned
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = concerned.move_line_id
            ), per_step AS (
                SELECT step_id,
                       SUM(amount) FILTER (WHERE max_date <= date) AS before,
                       SUM(amount) FILTER (WHERE paying AND max_date <= date + 7) AS paid_7,
                       SUM(amount) FILTER (WHERE paying AND max_date <= date + 14) AS paid_14,
                       SUM(amount) FILTER (WHERE paying AND max_date <= date + 30) AS paid_30,
                       SUM(amount) FILTER (WHERE paying) AS paid,
                       MAX(max_date) FILTER (WHERE paying) AS last_paid
                  FROM reconciliations
              GROUP BY step_id
            ), figures AS (
                SELECT items.step_id,
                       items.balance - COALESCE(per_step.before, 0) AS amount,
                       COALESCE(per_step.paid_7, 0) AS paid_7,
                       COALESCE(per_step.paid_14, 0) AS paid_14,
                       COALESCE(per_step.paid_30, 0) AS paid_30,
                       COALESCE(per_step.paid, 0) AS paid,
                       per_step.last_paid
                  FROM items
             LEFT JOIN per_step ON per_step.step_id = items.step_id
            )
            SELECT step_id, amount, paid_7, paid_14, paid_30, paid,
                   CASE WHEN amount > 0 AND paid >= amount THEN last_paid END
              FROM figures
            """,
            concerned=concerned,
        )

    @api.model
    def _get_new_step_figures(self, new_steps):
        """The payment figures of steps about to be created, {key: values for
        create()}, in one query: given at creation, they are not computed
        again (a query and an update per step saved). The same figures as
        _compute_payment_figures would store, read in the same transaction.

        :param dict new_steps: {key: (date, item ids)}
        """
        self.env["account.move.line"].flush_model(["balance", "move_id"])
        self.env["account.move"].flush_model(["move_type"])
        self.env["account.partial.reconcile"].flush_model(["amount", "max_date", "debit_move_id", "credit_move_id"])
        names = ("amount_concerned", "paid_7", "paid_14", "paid_30", "paid_since", "paid_date")
        figures = {key: dict.fromkeys(names, 0) | {"paid_date": False} for key in new_steps}
        if new_steps:
            self.env.cr.execute(self._get_payment_figures_query(new_steps=new_steps))
            for key, *amounts, paid_date in self.env.cr.fetchall():
                figures[key] = dict(zip(names[:-1], map(float, amounts), strict=True)) | {
                    "paid_date": paid_date or False
                }
        return figures
