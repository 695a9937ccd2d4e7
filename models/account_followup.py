"""The follow-up rules, in one place.

What is due, which level applies, when the next follow-up is, and what the
statement of a customer shows: the scheduled action, the statements screen,
the letter, the e-mail and the status search all ask this model.
"""

import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2
from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.tools import SQL

from .account_followup_channel import CHANNELS, ChannelOptions, ChannelOutcome, FollowupSkip
from .account_followup_situation import FollowupSituation
from .account_followup_step import STEP_DONE, STEP_IN_PROGRESS
from .account_followup_step_channel import CHANNEL_DONE, CHANNEL_FAILED, CHANNEL_SKIPPED, CHANNEL_TO_DO

_logger = logging.getLogger(__name__)

# An item's due date: its maturity date, the due date printed on the invoice
# (Odoo sets it to the invoice date for an invoice without payment term, and a
# person may type another one); only an item without any falls back to the
# invoice date. The one definition of it, for every query of the addon.
DUE_DATE_SQL = "COALESCE(aml.date_maturity, aml.invoice_date, aml.date)"

# What can be chased: what the customer owes on an item that nobody excluded
# and that is not in open dispute.
CHASABLE_SQL = """(aml.amount_residual > 0
                    AND NOT COALESCE(aml.blocked, FALSE)
                    AND NOT COALESCE(move.followup_excluded, FALSE)
                    AND NOT COALESCE(move.followup_in_dispute, FALSE))"""

STATUS_ACTION = "in_need_of_action"
STATUS_OVERDUE = "with_overdue_invoices"
STATUS_NONE = "no_action_needed"


class AccountFollowup(models.AbstractModel):
    _name = "account.followup"
    _description = "Payment Follow-up Rules"

    # ------------------------------------------------------------
    # DUE ITEMS
    # ------------------------------------------------------------

    @api.model
    def _get_open_items_domain(self, company, partners=None):
        """Open receivable journal items of posted entries: what a customer owes
        (positive) or has to its credit (credit notes, unreconciled payments)."""
        domain = [
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("amount_residual", "!=", 0),
        ]
        if partners is not None:
            domain.append(("partner_id", "child_of", partners.commercial_partner_id.ids))
        return domain

    @api.model
    def _open_items_sql(self, company=None, partner_ids=None, today=None):
        """The same items as :meth:`_get_open_items_domain`, as SQL for the
        set-based computations (one query for all customers, never one per
        customer): the one source of the engine, the statement, the portal
        page and the aged receivable (which gives no company: its SQL view
        covers them all).

        Each row says whether the item can be chased (``chasable``: see
        ``CHASABLE_SQL``) and, given ``today``, whether it is chased today
        (``chased``: chasable and not postponed by an expected payment date
        still to come): the one definition of both, for SQL and Python readers.

        :param partner_ids: commercial partners, or None for all
        :param today: the day of the ``chased`` column (without it, no such column)
        """
        chased = SQL("")
        if today:
            chased = SQL(
                "(%s AND (move.expected_payment_date IS NULL OR move.expected_payment_date <= %s)) AS chased,",
                SQL(CHASABLE_SQL),
                today,
            )
        company_clause = SQL("AND aml.company_id = %s", company.id) if company else SQL("")
        partner_clause = SQL("")
        if partner_ids is not None:
            partner_clause = SQL("AND p.commercial_partner_id = ANY(%s)", list(partner_ids))
        return SQL(
            """
            SELECT aml.id,
                   aml.company_id,
                   p.commercial_partner_id AS partner_id,
                   %(due_date)s AS due_date,
                   aml.amount_residual AS residual,
                   %(chasable)s AS chasable,
                   %(chased)s
                   move.expected_payment_date,
                   received.delay AS received_delay,
                   aml.followup_level_id AS received_level_id,
                   aml.move_id,
                   aml.amount_residual_currency AS residual_currency,
                   aml.currency_id,
                   (COALESCE(aml.blocked, FALSE) OR COALESCE(move.followup_excluded, FALSE)) AS excluded,
                   COALESCE(move.followup_in_dispute, FALSE) AS in_dispute,
                   move.name AS move_name,
                   move.ref AS move_ref,
                   move.payment_reference,
                   move.invoice_date,
                   move.date AS move_date
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
         LEFT JOIN account_followup_level received ON received.id = aml.followup_level_id
             WHERE aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND NOT aml.reconciled
               AND aml.amount_residual != 0
               %(company_clause)s
               %(partner_clause)s
            """,
            company_clause=company_clause,
            partner_clause=partner_clause,
            due_date=SQL(DUE_DATE_SQL),
            chasable=SQL(CHASABLE_SQL),
            chased=chased,
        )

    # ------------------------------------------------------------
    # LEVELS AND STATUS
    # ------------------------------------------------------------

    @api.model
    def _get_levels(self, company):
        return self.env["account.followup.level"].search([("company_id", "=", company.id)], order="delay")

    @api.model
    def _get_partner_summaries(self, company, partner_ids=None, today=None):
        """Follow-up situation of customers of ``company``, computed for all of
        them together.

        :return: {partner_id: summary dict} for every customer with open items:
            ``balance``, ``total_overdue`` (company currency), ``oldest_due_date``
            (oldest chased item), ``reached`` (highest level its delay has
            reached), ``level`` (level due now, or empty),
            ``received_delay`` (last level that item received), ``next_date``
            (when the next level becomes due) and ``status``.
        """
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        query = SQL(
            """
            WITH items AS (%(items)s),
            totals AS (
                SELECT partner_id,
                       SUM(residual) AS balance,
                       SUM(residual) FILTER (WHERE chasable AND due_date < %(today)s) AS overdue,
                       MIN(expected_payment_date) FILTER (WHERE chasable AND NOT chased) AS postponed_until
                  FROM items
              GROUP BY partner_id
            ),
            oldest AS (
                SELECT DISTINCT ON (partner_id) partner_id, due_date, received_delay
                  FROM items
                 WHERE chased
              ORDER BY partner_id, due_date, received_delay NULLS FIRST, id
            )
            SELECT totals.partner_id, totals.balance, COALESCE(totals.overdue, 0),
                   totals.postponed_until, oldest.due_date, oldest.received_delay
              FROM totals
         LEFT JOIN oldest ON oldest.partner_id = totals.partner_id
            """,
            items=self._open_items_sql(company, partner_ids, today),
            today=today,
        )
        self.env.cr.execute(query)
        rows = self.env.cr.fetchall()
        levels = self._get_levels(company)
        # (delay, level) pairs read once: recordset filtering per customer was
        # a third of the status search at 10,000 customers.
        plan = [(level.delay, level) for level in levels]
        return {
            partner_id: self._summarize(
                levels, today, balance, overdue, postponed_until, oldest_due, received_delay, plan=plan
            )
            for partner_id, balance, overdue, postponed_until, oldest_due, received_delay in rows
        }

    @api.model
    def _summarize(self, levels, today, balance, overdue, postponed_until, oldest_due, received_delay, plan=None):
        """Apply the plan to one customer's aggregated situation (no query).

        :param plan: ``levels`` as (delay, level) pairs ordered by delay, when
            the caller summarizes many customers
        """
        plan = plan if plan is not None else [(lvl.delay, lvl) for lvl in levels]
        level = reached = levels.browse()
        next_date = False
        chased = oldest_due and balance > 0
        if chased:
            days_late = (today - oldest_due).days
            reached_delay = None
            for delay, plan_level in plan:
                if delay <= days_late:
                    reached_delay, reached = delay, plan_level
            if reached and (received_delay is None or reached_delay > received_delay):
                # Only the highest reached level: a customer already 40 days late
                # gets the 35-day level, not all the earlier ones at once.
                level = reached
                next_date = oldest_due + timedelta(days=reached_delay)
            else:
                floor = received_delay if received_delay is not None else float("-inf")
                upcoming = next((delay for delay, _level in plan if delay > floor), None)
                if upcoming is not None:
                    next_date = oldest_due + timedelta(days=upcoming)
        if balance > 0 and postponed_until and (not next_date or postponed_until < next_date) and not level:
            next_date = postponed_until
        if balance <= 0:
            status = STATUS_NONE
        elif level:
            status = STATUS_ACTION
        elif overdue > 0:
            status = STATUS_OVERDUE
        else:
            status = STATUS_NONE
        return {
            "balance": balance,
            # credit notes and payments reduce what is overdue too
            "total_overdue": min(overdue, balance) if balance > 0 else 0.0,
            "oldest_due_date": oldest_due if chased else False,
            "received_delay": received_delay,
            "reached": reached,
            "level": level,
            "next_date": next_date,
            "status": status,
        }

    @api.model
    def _apply_reminder_type(self, summary, reminder_type, planned_date, today):
        """A customer's summary as its reminder type makes it: the one rule of
        manual mode, read by the engine, the customer's follow-up fields and
        their searches.

        In automatic mode the plan decides: the summary as it is. In manual
        mode a person planned the next reminder: the next date is the planned
        one (even for a customer who owes nothing), due once that date has
        come for a customer who owes something, with the level it reached.

        :param summary: the customer's summary (see :meth:`_get_partner_summaries`), or None
        :param reminder_type: the customer's ``followup_reminder_type``
        :param planned_date: the customer's ``followup_planned_date``
        :return: the summary (a new one in manual mode), or None
        """
        if reminder_type != "manual":
            return summary
        if summary:
            summary = dict(summary)
        else:
            summary = self._summarize(self.env["account.followup.level"], today, 0.0, 0.0, False, False, None, plan=[])
        if summary["balance"] <= 0:
            status = STATUS_NONE
        elif planned_date and planned_date <= today:
            status = STATUS_ACTION
        else:
            status = STATUS_OVERDUE if summary["total_overdue"] else STATUS_NONE
        summary.update(status=status, next_date=planned_date)
        if status == STATUS_ACTION and not summary["level"]:
            # Planned by a person: what is due is the level it reached.
            summary["level"] = summary["reached"]
        return summary

    # ------------------------------------------------------------
    # STATEMENT
    # ------------------------------------------------------------

    @api.model
    def _get_item_rules(self, company, line_ids):
        """{item id: {"due_date", "chasable"}} of these items, if still open:
        the engine's due date and chasing rule, for code that starts from items
        (the late-payment charges)."""
        if not line_ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id, due_date, chasable FROM (%s) items WHERE id = ANY(%s)",
                self._open_items_sql(company),
                list(line_ids),
            )
        )
        return {row["id"]: row for row in self.env.cr.dictfetchall()}

    @api.model
    def _read_open_items(self, company, partner_ids=None, today=None):
        """The open items of these customers (all when None), one query: a list
        of dicts per commercial partner, oldest due first (with the ``chased``
        flag when ``today`` is given)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT * FROM (%s) items ORDER BY partner_id, due_date, id",
                self._open_items_sql(company, partner_ids, today),
            )
        )
        by_partner = defaultdict(list)
        for row in self.env.cr.dictfetchall():
            by_partner[row["partner_id"]].append(row)
        return by_partner

    @api.model
    def _build_statement(self, partner, company, today, rows, only_overdue=False):
        """One customer's statement from its open items (no query but the
        currencies'): plain values shared by the screen, the e-mail, the letter
        and the portal. A credit note or a payment is never "late"; an excluded
        item is listed as excluded, not as late."""
        Currency = self.env["res.currency"]
        Level = self.env["account.followup.level"]
        lines = []
        totals = defaultdict(lambda: {"due": 0.0, "overdue": 0.0})
        for row in rows:
            days_late = (today - row["due_date"]).days
            # CHASABLE_SQL decides what can be chased, for every reader of the rows.
            late = row["chasable"] and days_late > 0
            if only_overdue and not late:
                continue
            currency = Currency.browse(row["currency_id"]) if row["currency_id"] else company.currency_id
            amount = row["residual"] if currency == company.currency_id else row["residual_currency"]
            total = totals[currency]
            total["due"] += amount
            if late:
                total["overdue"] += amount
            reference = row["move_ref"] or (
                row["payment_reference"] if row["payment_reference"] != row["move_name"] else ""
            )
            lines.append(
                {
                    "id": row["id"],
                    "move_id": row["move_id"],
                    "name": row["move_name"],
                    "reference": reference or "",
                    "date": row["invoice_date"] or row["move_date"],
                    "due_date": row["due_date"],
                    "expected_date": row["expected_payment_date"],
                    "days_late": max(days_late, 0) if late else 0,
                    "amount": amount,
                    "currency": currency,
                    "excluded": row["excluded"],
                    "in_dispute": row["in_dispute"],
                    "chasable": row["chasable"],
                    "is_credit": row["residual"] <= 0,
                    "level": Level.browse(row["received_level_id"]),
                }
            )
        return {
            "partner": partner,
            "company": company,
            "today": today,
            "lines": lines,
            "totals": [
                {
                    "currency": currency,
                    "due": amounts["due"],
                    "overdue": max(min(amounts["overdue"], amounts["due"]), 0.0),
                }
                for currency, amounts in totals.items()
            ],
        }

    @api.model
    def _get_statement(self, partner, company=None, today=None, only_overdue=False):
        """One customer's statement (see :meth:`_build_statement`)."""
        company = company or self.env.company
        today = today or fields.Date.context_today(self)
        partner = partner.commercial_partner_id
        rows = self._read_open_items(company, partner.ids, today).get(partner.id, [])
        return self._build_statement(partner, company, today, rows, only_overdue=only_overdue)

    @api.model
    def _get_mail_template(self, company, level, reached=None):
        """The e-mail template of the level due, else of the last level the
        customer reached: empty when that level has none. A level never
        borrows another level's template (a formal notice titled "Second
        payment reminder"); the person sending picks one. A customer who
        reached no level yet (a statement sent before anything is due) gets
        the first e-mail template of the plan."""
        reference = level or reached
        if reference:
            return reference.mail_template_id
        return self._get_levels(company).filtered("mail_template_id")[:1].mail_template_id

    # ------------------------------------------------------------
    # SITUATIONS: COMPUTED ONCE, PASSED DOWN
    # ------------------------------------------------------------

    @api.model
    def _get_channels(self):
        """The channel table (see account_followup_channel.py): extend it to add one."""
        return [channel(self.env) for channel in CHANNELS]

    @api.model
    def _get_situations(self, company, partners, today=None):
        """{commercial partner id: FollowupSituation} for these customers, with
        a fixed number of queries whatever their number."""
        today = today or fields.Date.context_today(self)
        partners = partners.commercial_partner_id.with_company(company)
        summaries = self._get_partner_summaries(company, partner_ids=partners.ids, today=today)
        rows = self._read_open_items(company, partners.ids, today)
        levels = self._get_levels(company)
        plan = [(level.delay, level) for level in levels]
        # The batch's statement pages in one query (the engine's lock and the
        # reminders' link); a customer without one gets it when first needed.
        # Sudo: the engine's bookkeeping (see account.followup.statement.page._get_page).
        pages = {
            page.partner_id.id: page
            for page in self.env["account.followup.statement.page"]
            .sudo()
            .search([("partner_id", "in", partners.ids), ("company_id", "=", company.id)])
        }
        open_steps = (
            self.env["account.followup.step"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "=", company.id),
                    ("state", "=", STEP_IN_PROGRESS),
                ],
                order="date desc, id desc",
            )
        )
        situations = {}
        for partner in partners:
            summary = self._apply_reminder_type(
                summaries.get(partner.id), partner.followup_reminder_type, partner.followup_planned_date, today
            )
            level = summary["level"] if summary else levels.browse()
            partner_steps = open_steps.filtered(lambda s, p=partner: s.partner_id == p)
            situations[partner.id] = FollowupSituation(
                self.env,
                partner,
                company,
                today,
                summary,
                rows.get(partner.id, []),
                plan,
                partner_steps.filtered(lambda s, lvl=level: s.level_id == lvl)[:1],
                open_steps=partner_steps,
                page=pages.get(partner.id),
            )
        return situations

    @api.model
    def _get_situation(self, partner, company=None, today=None):
        company = company or self.env.company
        partner = partner.commercial_partner_id
        return self._get_situations(company, partner, today)[partner.id]

    # ------------------------------------------------------------
    # EXECUTION
    # ------------------------------------------------------------

    @api.model
    def _execute_followups(self, company, batch_size=100, today=None, auto_commit=False, report=None):
        """Execute the automated follow-ups due today in ``company``.

        The situations of the batch are computed once, set-based. Each customer
        is then processed in its own savepoint: its row is locked first and the
        record of steps checked, so a second worker skips it or finds the step
        done. What a step produces (e-mails, SMS, letters, activities) is
        created in the same transaction as the step.

        :param bool auto_commit: commit after each customer, so that a crash
            loses at most the customer in progress, which the next run redoes.
            Only the entry points that own the transaction (the scheduled
            action outside tests, the command-line scripts) pass True.
        :param dict report: filled, when given, with what the run did:
            ``done`` (one entry per customer processed), ``errors`` (ids of
            the customers that failed) and ``stopped`` (the warning of the
            e-mail cap).
        :return: True when customers remain for another run.
        """
        today = today or fields.Date.context_today(self)
        due = self._get_due_followups(company, today)
        if self._check_email_cap(company, due, report):
            return False
        batch = due[:batch_size]
        Partner = self.env["res.partner"].with_company(company)
        situations = self._get_situations(company, Partner.browse([partner.id for partner, _level in batch]), today)
        for partner, _level in batch:
            situation = situations[partner.id]
            # Each customer with its own prefetch: after a commit, reading a field
            # of one customer would read it for the whole batch again.
            situation.partner = situation.partner.with_prefetch()
            try:
                with self.env.cr.savepoint(flush=True):
                    done = self._execute_situation(situation)
            except Exception:
                _logger.exception("Payment follow-up of partner %s failed", partner.id)
                if report is not None:
                    report.setdefault("errors", []).append(partner.id)
                done = None
            if report is not None and done:
                report.setdefault("done", []).append(done)
            if auto_commit:
                # One transaction per customer: what is sent is recorded at once.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(due) > batch_size

    @api.model
    def _get_due_followups(self, company, today):
        """[(partner, level)] of the customers in automatic mode with a level
        due and no step of that level in progress (a level for a person stays
        due until the person completes it: it is proposed once)."""
        summaries = self._get_partner_summaries(company, today=today)
        due_ids = sorted(
            pid for pid, summary in summaries.items() if summary["status"] == STATUS_ACTION and summary["level"]
        )
        partners = self.env["res.partner"].with_company(company).browse(due_ids)
        due = [
            (partner, summaries[partner.id]["level"])
            for partner in partners
            if partner.followup_reminder_type != "manual"
            # replies: a customer who answered a reminder lately is not chased automatically
            and not partner._followup_is_paused(today)
        ]
        if due:
            in_progress = set(
                self.env["account.followup.step"]
                .sudo()
                ._read_group(
                    [
                        ("company_id", "=", company.id),
                        ("state", "=", STEP_IN_PROGRESS),
                        ("partner_id", "in", [partner.id for partner, _level in due]),
                    ],
                    ["partner_id", "level_id"],
                )
            )
            due = [(partner, level) for partner, level in due if (partner, level) not in in_progress]
        return due

    @api.model
    def _count_automatic_emails(self, due):
        """How many e-mails the scheduled action sends for ``due`` ([(partner,
        level)]): one per customer whose level is automatic and asks for an
        e-mail. The one count of the cap and of the preview."""
        email = next(channel for channel in self._get_channels() if channel.code == "email")
        return sum(1 for _partner, level in due if level.auto_execute and email.is_enabled(level))

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
            preview.append({"partner": situation.partner, "level": level, "actions": actions})
        return preview

    @api.model
    def _lock_partner(self, situation):
        """Lock a customer for this transaction: the row of its statement page
        in the company, a row of the addon's own (the contact is not touched);
        False when another transaction holds it or changed it since this one
        began (a recorded step updates it, see _record_step)."""
        try:
            with self.env.cr.savepoint(flush=False):
                page = situation.page
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM account_followup_statement_page WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED",
                        page.id,
                    )
                )
                return bool(self.env.cr.fetchone())
        except psycopg2.errors.SerializationFailure:
            return False

    @api.model
    def _is_level_on_record(self, situation):
        """Whether the level due was already executed or proposed for the
        customer's oldest chased item, according to the history: the check made
        after the customer is locked, against another worker's committed step."""
        items = situation.chased_rows
        if not items or not situation.level:
            return False
        self.env["account.followup.step"].flush_model(["level_id", "move_line_ids"])
        self.env["account.followup.level"].flush_model(["delay"])
        self.env.cr.execute(
            """
            SELECT 1
              FROM account_followup_step_move_line_rel rel
              JOIN account_followup_step step ON step.id = rel.step_id
              JOIN account_followup_level level ON level.id = step.level_id
             WHERE rel.move_line_id = %s AND level.delay >= %s
             LIMIT 1
            """,
            [items[0]["id"], situation.level.delay],
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _execute_partner(self, partner, company, today):
        """Execute the level due for one customer, computed on its own."""
        return self._execute_situation(self._get_situation(partner, company, today))

    @api.model
    def _execute_situation(self, situation):
        """Execute the level due for one customer (scheduled action): every
        channel of an automated level, or the proposal of a level for a person."""
        partner = situation.partner
        if not self._lock_partner(situation) or self._is_level_on_record(situation):
            return None
        level = situation.level
        if not level or situation.status != STATUS_ACTION:
            return None
        if level.auto_execute:
            outcomes = self._run_channels(situation)
        else:
            manual = [channel for channel in self._get_channels() if channel.code == "manual"]
            outcomes = self._run_channels(situation, manual)
        step = self._record_step(situation, outcomes, automatic=True)
        return {"partner": partner, "level": level, "step": step, "outcomes": outcomes}

    @api.model
    def _run_channels(self, situation, channels=None, options=None):
        """Run these channels (default: those of the level) for one customer; a
        channel that cannot run is skipped with its reason, one that fails is
        recorded as failed, never the whole follow-up.

        :return: [(channel, ChannelOutcome)]
        """
        situation.partner._check_followup_access()
        options = options or ChannelOptions()
        if channels is None:
            channels = [channel for channel in self._get_channels() if channel.is_enabled(situation.level)]
        outcomes = []
        for channel in channels:
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

    # ------------------------------------------------------------
    # RECORDING: THE ONE PLACE THAT SAYS "DONE"
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
            self._record_item_levels(step)
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
        page = situation.page
        self.env.cr.execute(
            SQL(
                "UPDATE account_followup_statement_page SET write_date = (now() at time zone 'UTC'), write_uid = %s "
                "WHERE id = %s",
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
        }

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

    @api.model
    def _record_item_levels(self, step):
        """Each item of a done step receives the level it has reached (up to the
        step's level, never lower than what it had): the index "never twice" is
        read from, written in the step's transaction. Follow-up bookkeeping only
        (no amount, account or tax): one query whatever the number of items,
        where the ORM would run account.move.line.write's invoice
        synchronisation for nothing."""
        Line = self.env["account.move.line"]
        # Everything the query reads or writes: the items' due dates and levels,
        # the company's levels.
        Line.flush_model(["followup_level_id", "followup_date", "date_maturity", "invoice_date", "date"])
        self.env["account.followup.level"].flush_model(["company_id", "active", "delay"])
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
                                 WHERE level.company_id = %(company)s
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
                company=step.company_id.id,
                ceiling=step.level_id.delay,
                due_date=SQL(DUE_DATE_SQL),
                ids=step.move_line_ids.ids,
            )
        )
        written = [row[0] for row in self.env.cr.fetchall()]
        Line.browse(written).invalidate_recordset(["followup_level_id", "followup_date", "write_uid", "write_date"])

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
