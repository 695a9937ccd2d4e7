"""Running the follow-ups of a batch of customers: locking each customer,
checking the history, running the channels (``followup/channels/``) and
handing what they did to the recording (``account_followup_recording.py``).
Control flows down: the rules (``account_followup_rules.py``) say what is
due, this file does it, the recording writes it; nothing calls back up.
"""

import logging
import uuid

import psycopg2

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..followup.channels import CHANNELS, ChannelOptions, ChannelOutcome, FollowupSkip
from ..followup.definitions import CHANNEL_FAILED, CHANNEL_SKIPPED
from .account_followup_rules import STATUS_ACTION

_logger = logging.getLogger(__name__)


class ChannelFailed(Exception):
    """A channel run without a savepoint of its own failed: the customer is
    rolled back and done again with a savepoint per channel."""


class AccountFollowup(models.AbstractModel):
    _inherit = "account.followup"  # pylint: disable=consider-merging-classes-inherited

    # Customers done between two commits of the scheduled action (auto_commit).
    # A commit empties the ORM's cache: committing after every customer made
    # each one read the company, its levels, the template, the language and the
    # currency again (about 10 queries). A crash redoes at most these customers,
    # and nothing they produced had left the machine (e-mails, SMS and letters
    # are queued, sent after the commit); each keeps its savepoint, so one that
    # fails does not stop the others.
    _followup_commit_every = 20

    # ------------------------------------------------------------
    # CHANNELS
    # ------------------------------------------------------------

    @api.model
    def _get_channels(self):
        """The channel table (see followup/channels/): extend it to add one."""
        return [channel(self.env) for channel in CHANNELS]

    # ------------------------------------------------------------
    # A BATCH
    # ------------------------------------------------------------

    @api.model
    def _execute_followups(self, company, batch_size=100, today=None, auto_commit=False, report=None, partner_ids=None):
        """Execute the automated follow-ups due today in ``company``.

        The situations of the batch are computed once, set-based. Each customer
        is then processed in its own savepoint: its row is locked first and the
        record of steps checked, so a second worker skips it or finds the step
        done. What a step produces (e-mails, SMS, letters, activities) is
        created in the same transaction as the step.

        :param bool auto_commit: commit after every ``_followup_commit_every``
            customers and at the end, so that a crash loses at most the
            customers since the last commit, which the next run redoes.
            Only the entry points that own the transaction (the scheduled
            action outside tests, the command-line scripts) pass True.
        :param dict report: filled, when given, with what the run did:
            ``done`` (one entry per customer processed), ``errors`` (ids of
            the customers that failed) and ``stopped`` (the warning of the
            e-mail cap).
        :param list partner_ids: only these customers, those of one job of the
            job queue (see res_partner_followup_queue.py): the ones still due
            are done, whatever ``batch_size``; the e-mail cap was checked on
            the whole day when the jobs were cut.
        :return: True when customers remain for another run.
        """
        today = today or fields.Date.context_today(self)
        due = self._get_due_followups(company, today)
        if partner_ids is not None:
            wanted = set(partner_ids)
            due = [(partner, level) for partner, level in due if partner.id in wanted]
            batch_size = len(due)
        elif self._check_email_cap(company, due, report):
            return False
        batch = due[:batch_size]
        Partner = self.env["res.partner"].with_company(company)
        situations = self._get_situations(company, Partner.browse([partner.id for partner, _level in batch]), today)
        ids = [partner.id for partner, _level in batch]
        self._create_batch_pages(company, situations.values())
        shared = {"partner_ids": ids, "situations": situations}
        every = self._followup_commit_every if auto_commit else len(ids)
        for index, (partner, _level) in enumerate(batch, 1):
            situation = situations[partner.id]
            situation.shared = shared
            situation.defer_notifications = True
            # The customers between two commits read their fields together; after
            # a commit (which empties the cache), reading a field of one customer
            # would read it for the whole batch again.
            start = (index - 1) // every * every
            chunk = ids[start : start + every]
            situation.partner = situation.partner.with_prefetch(tuple(chunk))
            if index - 1 == start:
                # The company of the items the chunk's steps concern (the step's
                # company check), in one query for them all.
                item_ids = [item_id for pid in chunk for item_id in situations[pid].items.ids]
                self.env["account.move.line"].browse(item_ids).fetch(["company_id"])
                # The payment figures of the chunk's steps, in one query, read in
                # the snapshot the steps are created in (the chunk's transaction).
                figures = self.env["account.followup.step"]._get_new_step_figures(
                    {pid: (situations[pid].today, situations[pid].items.ids) for pid in chunk}
                )
                for pid in chunk:
                    situations[pid].payment_figures = figures[pid]
            done = self._execute_in_savepoint(situation, report)
            if report is not None and done:
                report.setdefault("done", []).append(done)
            if auto_commit and (index % self._followup_commit_every == 0 or index == len(batch)):
                # What is queued is recorded in the same transaction as its step.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(due) > batch_size

    @api.model
    def _execute_in_savepoint(self, situation, report=None):
        """One customer of a batch in its own savepoint: one that fails does
        not stop the others.

        Its channels first run without a savepoint each (two queries a channel
        saved: nearly every customer's channels succeed). When one fails, the
        customer's savepoint rolls everything of it back and the customer is
        done again from the start, each channel in its own savepoint, so that
        the step records the failed channel beside the ones that worked: the
        same outcome as with savepoints from the start.
        """
        partner = situation.partner
        channel_savepoints = False
        while True:
            try:
                try:
                    with self.env.cr.savepoint(flush=True):
                        return self._execute_situation(situation, channel_savepoints=channel_savepoints)
                except BaseException:
                    # What this customer did for the batch's others (the followers
                    # added for all of them, see FollowupSituation.subscribe_with_batch)
                    # was rolled back with it: the next one does it again.
                    situation.shared.pop("subscribed", None)
                    raise
            except ChannelFailed:
                # (with a savepoint per channel, a failure is an outcome: no second retry)
                # Rolled back (the cache with it): the customer's situation again, from the database.
                shared = situation.shared
                situation = self._get_situation(partner, situation.company, situation.today)
                situation.shared = shared
                situation.defer_notifications = True
                channel_savepoints = True
            except psycopg2.errors.SerializationFailure:
                # Another worker changed the customer since this run began (see
                # _lock_partner): it did the follow-up, or the next run will.
                _logger.info("Payment follow-up of partner %s skipped: changed by another transaction", partner.id)
                return None
            except Exception:
                _logger.exception("Payment follow-up of partner %s failed", partner.id)
                if report is not None:
                    report.setdefault("errors", []).append(partner.id)
                return None

    @api.model
    def _create_batch_pages(self, company, situations):
        """Create, in one statement, the statement pages the batch's customers
        lack: every one needs its page (the lock, the reminder's link). As
        ``account.followup.statement.page._get_page`` does it for one: "ON
        CONFLICT" leaves a page created meanwhile by another transaction, whose
        customer then gets its page when first needed; when that other
        transaction is still open, this one fails with a serialization error
        (or a deadlock with another worker creating the same pages), rolled
        back to the savepoint, and each customer gets its page on its own as
        before."""
        missing = [situation for situation in situations if not situation._page]
        if not missing:
            return
        # With their access token (the reminder's link) and short code, as
        # portal.mixin's _portal_ensure_token gives them: no update per page.
        Page = self.env["account.followup.statement.page"].sudo()
        tokens = [str(uuid.uuid4()) for _situation in missing]
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        INSERT INTO account_followup_statement_page
                               (partner_id, company_id, access_token, short_code,
                                create_uid, write_uid, create_date, write_date)
                        SELECT partner_id, %(company)s, access_token, short_code, %(uid)s, %(uid)s,
                               NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                          FROM unnest(%(partners)s, %(tokens)s, %(codes)s) AS new(partner_id, access_token, short_code)
                        ON CONFLICT (partner_id, company_id) DO NOTHING
                        RETURNING partner_id, id
                        """,
                        company=company.id,
                        uid=self.env.uid,
                        partners=[situation.partner.id for situation in missing],
                        tokens=tokens,
                        codes=[Page._get_short_code(token) for token in tokens],
                    )
                )
                created = dict(self.env.cr.fetchall())
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected):
            return
        # Sudo: the engine's bookkeeping (see account.followup.statement.page._get_page).
        # (iterated: each page prefetches the batch's others)
        pages = dict(zip(created, Page.browse(list(created.values())), strict=True))
        for situation in missing:
            if situation.partner.id in pages:
                situation._page = pages[situation.partner.id]

    @api.model
    def _count_automatic_emails(self, due):
        """How many e-mails the scheduled action sends for ``due`` ([(partner,
        level)]): one per customer whose level is automatic and asks for an
        e-mail (a channel ``capped``). The one count of the cap and of the preview."""
        capped = [channel for channel in self._get_channels() if channel.capped]
        return sum(
            1 for _partner, level in due if level.auto_execute for channel in capped if channel.is_enabled(level)
        )

    @api.model
    def _check_email_cap(self, company, due, report=None):
        """Safety valve: when today's run would send more automated e-mails than
        the company allows, send nothing and warn the responsible instead.

        :return: True when the run must stop.
        """
        emails = self._count_automatic_emails(due)
        cap = company.followup_max_emails
        if not cap or emails <= cap:
            return False
        message = _(
            "Payment follow-ups stopped for %(company)s: %(count)s e-mails are due today, more than "
            "the limit of %(cap)s per run. Check the follow-up plan, then raise the limit in the "
            "settings or send the reminders from the Customer statements screen.",
            company=company.name,
            count=emails,
            cap=cap,
        )
        _logger.warning(message)
        if report is not None:
            report.setdefault("stopped", []).append(message)
        responsible = company.followup_default_responsible_id or self.env.ref("base.user_admin")
        company_partner = company.partner_id
        summary = _("Payment follow-ups stopped: too many e-mails")
        if not company_partner.activity_ids.filtered(lambda a: a.summary == summary):
            company_partner.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=summary,
                note=message,
                user_id=responsible.id,
            )
        return True

    @api.model
    def _get_followup_preview(self, company, today=None):
        """What today's run would do, without doing it: one dict per customer
        with its level, the actions and their recipients, or why one is skipped."""
        today = today or fields.Date.context_today(self)
        due = self._get_due_followups(company, today)
        Partner = self.env["res.partner"].with_company(company)
        situations = self._get_situations(company, Partner.browse([partner.id for partner, _level in due]), today)
        channels = self._get_channels()
        preview = []
        for partner, level in due:
            situation = situations[partner.id]
            if not level.auto_execute:
                actions = [_("proposed to %s", situation.responsible.name)]
            else:
                actions = [channel.describe(situation) for channel in channels if channel.is_enabled(level)]
            # what its late-payment charges would be, and why (businesses, consumers)
            charges = self.env["account.followup.step"]._get_charges_summary(
                situation.partner, level, today, situation.items
            )
            if charges:
                actions.append(charges)
            preview.append({"partner": situation.partner, "level": level, "actions": actions})
        return preview

    # ------------------------------------------------------------
    # ONE CUSTOMER
    # ------------------------------------------------------------

    @api.model
    def _lock_partner(self, situation):
        """Lock a customer for this transaction: the row of its statement page
        in the company, a row of the addon's own (the contact is not touched),
        updated at once as a recorded step updates it (see _record_step), in
        one statement; False when another transaction holds it.

        The same statement says whether the level due is already on record
        (see _is_level_on_record), read in the snapshot the lock is checked
        against: ``situation.on_record``.

        :raise psycopg2.errors.SerializationFailure: another transaction
            changed it since this one began; the caller's savepoint (one per
            customer) rolls it back and the customer is skipped.
        """
        page = situation.page
        self._flush_history()
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_followup_statement_page
                   SET write_date = (now() at time zone 'UTC'), write_uid = %(uid)s
                 WHERE id = (SELECT id FROM account_followup_statement_page
                              WHERE id = %(page)s FOR NO KEY UPDATE SKIP LOCKED)
                RETURNING id, %(on_record)s
                """,
                uid=self.env.uid,
                page=page.id,
                on_record=self._get_on_record_sql(situation),
            )
        )
        page.invalidate_recordset(["write_date", "write_uid"])
        row = self.env.cr.fetchone()
        situation.locked = bool(row)
        situation.on_record = bool(row and row[1])
        return situation.locked

    @api.model
    def _flush_history(self):
        self.env["account.followup.step"].flush_model(["level_id", "move_line_ids"])
        self.env["account.followup.level"].flush_model(["delay"])

    @api.model
    def _get_on_record_sql(self, situation):
        """Whether the level due was already executed or proposed for the
        customer's oldest chased item, according to the history (SQL)."""
        items = situation.chased_rows
        if not items or not situation.level:
            return SQL("FALSE")
        return SQL(
            """
            EXISTS (
                SELECT 1
                  FROM account_followup_step_move_line_rel rel
                  JOIN account_followup_step step ON step.id = rel.step_id
                  JOIN account_followup_level level ON level.id = step.level_id
                 WHERE rel.move_line_id = %s AND level.delay >= %s
            )
            """,
            items[0]["id"],
            situation.level.delay,
        )

    @api.model
    def _is_level_on_record(self, situation):
        """Whether the level due was already executed or proposed for the
        customer's oldest chased item, according to the history: the check made
        after the customer is locked (with the lock, see _lock_partner),
        against another worker's committed step."""
        self._flush_history()
        self.env.cr.execute(SQL("SELECT %s", self._get_on_record_sql(situation)))
        return bool(self.env.cr.fetchone()[0])

    @api.model
    def _execute_partner(self, partner, company, today):
        """Execute the level due for one customer, computed on its own; None
        when another transaction holds or changed it (see _lock_partner)."""
        situation = self._get_situation(partner, company, today)
        try:
            with self.env.cr.savepoint(flush=False):
                return self._execute_situation(situation)
        except psycopg2.errors.SerializationFailure:
            return None

    @api.model
    def _execute_situation(self, situation, channel_savepoints=True):
        """Execute the level due for one customer (scheduled action): every
        channel of an automated level, or the proposal of a level for a person.

        :param bool channel_savepoints: see _run_channels."""
        partner = situation.partner
        if not self._lock_partner(situation) or situation.on_record:
            return None
        level = situation.level
        if not level or situation.status != STATUS_ACTION:
            return None
        if level.auto_execute:
            outcomes = self._run_channels(situation, savepoints=channel_savepoints)
        else:
            for_person = [channel for channel in self._get_channels() if channel.for_person]
            outcomes = self._run_channels(situation, for_person, savepoints=channel_savepoints)
        step = self._record_step(situation, outcomes, automatic=True)
        return {"partner": partner, "level": level, "step": step, "outcomes": outcomes}

    @api.model
    def _run_channels(self, situation, channels=None, options=None, savepoints=True):
        """Run these channels (default: those of the level) for one customer; a
        channel that cannot run is skipped with its reason, one that fails is
        recorded as failed, never the whole follow-up.

        :param bool savepoints: each channel in its own savepoint (what it
            wrote is rolled back when it fails). Without, the caller holds a
            savepoint of its own around the customer: a channel that fails
            (or is skipped once it began) raises ChannelFailed, for the caller
            to roll the customer back and run it again with savepoints.
        :return: [(channel, ChannelOutcome)]
        """
        situation.partner._check_followup_access()
        options = options or ChannelOptions()
        if channels is None:
            channels = [channel for channel in self._get_channels() if channel.is_enabled(situation.level)]
        outcomes = []
        for channel in channels:
            if not savepoints:
                try:
                    # What blocks a channel is known before it writes anything.
                    channel.check(situation)
                except FollowupSkip as skip:
                    outcomes.append((channel, ChannelOutcome(CHANNEL_SKIPPED, channel.label(), reason=str(skip))))
                    continue
                try:
                    outcomes.append((channel, channel.run(situation, options)))
                except Exception as error:
                    raise ChannelFailed(channel.code) from error
                continue
            try:
                with self.env.cr.savepoint(flush=True):
                    outcome = channel.run(situation, options)
            except FollowupSkip as skip:
                outcome = ChannelOutcome(CHANNEL_SKIPPED, channel.label(), reason=str(skip))
            except Exception as error:  # a broken template must not stop the run
                _logger.warning("Follow-up %s of partner %s failed: %s", channel.code, situation.partner.id, error)
                outcome = ChannelOutcome(CHANNEL_FAILED, channel.label(), reason=_("it failed: %s", error))
            outcomes.append((channel, outcome))
        return outcomes
