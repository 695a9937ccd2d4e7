"""Recording what a follow-up did: the step and its actions, the levels the
items reached, the late-payment charges, the customer's chatter, the
activities that complete a step. The one place that says "done": the
scheduled action, Send & Print and a person marking a level done all end
here (see ``account_followup_execution.py`` for the scheduled action).
"""

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.tools import SQL

from ..followup.definitions import CHANNEL_DONE, CHANNEL_FAILED, CHANNEL_SKIPPED, CHANNEL_TO_DO
from .account_followup_step import STEP_DONE, STEP_IN_PROGRESS


class AccountFollowup(models.AbstractModel):
    _inherit = "account.followup"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------
    # THE STEP
    # ------------------------------------------------------------

    @api.model
    def _record_step(self, situation, outcomes, automatic=False, close_reason=None):
        """Record what was done of the level due for a customer, whoever did it.

        Creates the step (or completes the one in progress) with an outcome per
        channel of the level; channels not done yet stay "to do". With
        ``close_reason`` a person declares the level done: what is still to do
        is recorded as skipped with that reason. A step with nothing left to
        do is done: its items receive the level (the index "never twice" reads
        quickly) and its activities are closed. Logs in the customer's chatter
        and asks the responsible to fix what was skipped.

        :param outcomes: [(channel, ChannelOutcome)]
        :return: the step
        """
        partner = situation.partner
        partner._check_followup_access()
        level = situation.level
        # The history is the engine's own bookkeeping, after the rights check
        # above: billing users read steps (ir.model.access.csv), never create,
        # write nor delete them, so that nobody writes a step of their own over
        # RPC (a level "done" by a colleague or by the scheduled action). The
        # step is created and completed with sudo() on the step only; its
        # author is the acting user (create_uid, user_id), and its late-payment
        # charges are invoiced with the acting user's rights.
        Step = self.env["account.followup.step"]
        step = situation.open_step.sudo(False)
        channels = self._get_channels()
        created_done = False
        if step:
            step.sudo()._set_outcomes(outcomes, channels)
            if not automatic:
                # A person did (part of) the level the scheduled action proposed: the step is theirs.
                step.sudo().write({"user_id": self.env.uid, "automatic": False})
        else:
            vals = self._prepare_step_vals(situation, automatic)
            rows = Step._prepare_channels_vals(level, outcomes, channels)
            keys = {key: vals[key] for key in ("partner_id", "company_id", "level_id", "date")}
            vals["channel_ids"] = [Command.create({**row, **keys}) for row in rows]
            if not close_reason and all(row["state"] != CHANNEL_TO_DO for row in rows):
                vals["state"] = STEP_DONE
                created_done = True
            step = Step.sudo().create(vals).sudo(False)
            # Lower levels still in progress are overtaken by this one.
            (situation.open_steps - step)._close(_("overtaken by the level “%s”", level.name))
            situation.open_step = step
        step.channel_ids._sync_with_notifications()
        if created_done:
            step._record_item_levels()
        elif close_reason:
            step._close(close_reason)
        elif not step.sudo().channel_ids.filtered(lambda c: c.state == CHANNEL_TO_DO):
            step._close()
        if not automatic or level.auto_execute:
            # Late-payment charges follow whoever does the level, in the step's
            # transaction: the scheduled action when it executes an automated
            # level, a person when it does one (never when a level is only
            # proposed to a person); once per step (see _create_charges_invoice).
            step._create_charges_invoice()
        self._log_step(situation, _("Payment follow-up “%s”", level.name), outcomes, [step._get_charges_note()])
        # Update the customer's page row (the lock, see _lock_partner) so that a
        # concurrent run whose snapshot is older than our commit gets a
        # serialization error when it locks the row, instead of sending again
        # on stale data.
        # The scheduled action updated it when it locked it.
        if not situation.locked:
            page = situation.page
            self.env.cr.execute(
                SQL(
                    "UPDATE account_followup_statement_page SET write_date = (now() at time zone 'UTC'), "
                    "write_uid = %s WHERE id = %s",
                    self.env.uid,
                    page.id,
                )
            )
            page.invalidate_recordset(["write_date", "write_uid"])
        partner.invalidate_recordset(["followup_status", "followup_level_id", "followup_next_action_date"])
        return step

    @api.model
    def _prepare_step_vals(self, situation, automatic):
        """Values of a new step: who, when, which items and how much (an
        extension point for what a step records)."""
        summary = situation.summary
        return {
            "partner_id": situation.partner.id,
            "company_id": situation.company.id,
            "level_id": situation.level.id,
            "date": situation.today,
            "user_id": self.env.uid,
            "responsible_id": situation.responsible.id,
            "automatic": automatic,
            "state": STEP_IN_PROGRESS,
            "move_line_ids": [Command.set(situation.items.ids)],
            "amount_due": summary.get("balance", 0.0),
            "amount_overdue": summary.get("total_overdue", 0.0),
            # the 14-day notice its e-mail and letter carried (see FollowupSituation.notice)
            "notice_amount": situation.notice["amount"] if situation.notice else 0.0,
            # what its items owed and how they were paid, when the batch read it
            # for its steps (see account.followup.step._get_new_step_figures)
            **(situation.payment_figures or {}),
        }

    # ------------------------------------------------------------
    # THE CHATTER
    # ------------------------------------------------------------

    @api.model
    def _log_sending(self, situation, outcomes):
        """A person sent a statement while no level was due: logged, no step."""
        self._log_step(situation, _("Statement sent"), outcomes)

    @api.model
    def _log_step(self, situation, title, outcomes, notes=()):
        """Log what a follow-up did, and did not do, in the customer's chatter;
        ask the responsible to fix what prevented an action."""
        partner = situation.partner
        lines = [
            outcome.note for _channel, outcome in outcomes if outcome.state not in (CHANNEL_SKIPPED, CHANNEL_FAILED)
        ] + [note for note in notes if note]
        problems = [
            (channel.label(), outcome.reason)
            for channel, outcome in outcomes
            if outcome.state in (CHANNEL_SKIPPED, CHANNEL_FAILED)
        ]
        lines += [_("Skipped: %(action)s (%(reason)s)", action=label, reason=reason) for label, reason in problems]
        if lines:
            body = Markup("<p>%s</p><ul>%s</ul>") % (
                title,
                Markup("").join(Markup("<li>%s</li>") % line for line in lines),
            )
            # A log of the system, as Odoo's tracking: no notification to compute.
            partner._message_log(body=body)
        if problems:
            reasons = "; ".join(f"{label}: {reason}" for label, reason in problems)
            self._ask_to_fix_data(partner, situation.responsible, title, reasons)

    @api.model
    def _ask_to_fix_data(self, partner, responsible, title, reasons):
        """Ask the responsible to fix what prevented a follow-up action (no
        address, a bounced e-mail...): one activity on the customer."""
        # The system asks the responsible; the user's rights were checked by the caller.
        partner.sudo().with_context(mail_notify_force_send=False).activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Fix the follow-up data of %s", partner.display_name),
            note=_("%(followup)s could not do everything: %(reasons)s", followup=title, reasons=reasons),
            user_id=responsible.id,
        )

    # ------------------------------------------------------------
    # A PERSON'S ACTIVITIES
    # ------------------------------------------------------------

    @api.model
    def _get_activity_channels(self, activities):
        """The step actions waiting for these activities."""
        return self.env["account.followup.step.channel"].search(
            [("activity_id", "in", activities.ids), ("state", "=", CHANNEL_TO_DO)]
        )

    @api.model
    def _complete_channels(self, rows, user):
        """Their activities were marked done by ``user``: the actions are done,
        the step is theirs (not "automatic" anymore), its late-payment charges
        are invoiced as them, and each step is done when nothing else is left
        to do.

        :param rows: step actions, read by the system for the user (see mail.activity)
        """
        today = fields.Date.context_today(self)
        for row in rows:
            row.write(
                {
                    "state": CHANNEL_DONE,
                    "user_id": user.id,
                    "done_date": today,
                    "note": _("%(action)s done by %(user)s", action=row.note or "", user=user.name),
                }
            )
        for step in rows.step_id:
            step.write({"user_id": user.id, "automatic": False})
            if not step.channel_ids.filtered(lambda c: c.state == CHANNEL_TO_DO):
                step.with_company(step.company_id)._close()
            # As the person who did it, with their rights (see _create_charges_invoice).
            charges = step.with_user(user).with_company(step.company_id)._create_charges_invoice()
            if charges:
                step.partner_id._message_log(
                    body=Markup("<p>%s</p><ul><li>%s</li></ul>")
                    % (_("Payment follow-up “%s”", step.level_id.name), step._get_charges_note())
                )
