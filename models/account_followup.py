"""The follow-up rules, in one place.

What is due, which level applies, when the next follow-up is, and what the
statement of a customer shows: the scheduled action, the statements screen,
the letter, the e-mail and the status search all ask this model.
"""

import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# An item's due date: its maturity date; for an invoice without payment term,
# the invoice date (Odoo fills the maturity of such an invoice with the day it
# was created, which is not when the customer was asked to pay).
DUE_DATE_SQL = """
    CASE WHEN move.invoice_payment_term_id IS NULL AND move.invoice_date IS NOT NULL
         THEN move.invoice_date
         ELSE COALESCE(aml.date_maturity, move.invoice_date, move.date)
    END"""

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
    def _open_items_sql(self, company, partner_ids=None):
        """The same items as :meth:`_get_open_items_domain`, as SQL for the
        set-based computations (one query for all customers, never one per
        customer). Columns: partner, due date, residual, chased?, received delay."""
        partner_clause = SQL("")
        if partner_ids is not None:
            partner_clause = SQL("AND p.commercial_partner_id = ANY(%s)", list(partner_ids))
        return SQL(
            """
            SELECT aml.id,
                   p.commercial_partner_id AS partner_id,
                   %(due_date)s AS due_date,
                   aml.amount_residual AS residual,
                   (aml.amount_residual > 0
                    AND NOT COALESCE(aml.blocked, FALSE)
                    AND NOT COALESCE(move.followup_excluded, FALSE)
                    -- disputes: an invoice in open dispute is not chased
                    AND NOT COALESCE(move.followup_in_dispute, FALSE)) AS chasable,
                   move.expected_payment_date,
                   received.delay AS received_delay
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
         LEFT JOIN account_followup_level received ON received.id = aml.followup_level_id
             WHERE aml.company_id = %(company)s
               AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND NOT aml.reconciled
               AND aml.amount_residual != 0
               %(partner_clause)s
            """,
            company=company.id,
            partner_clause=partner_clause,
            due_date=SQL(DUE_DATE_SQL),
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
                       MIN(expected_payment_date) FILTER (
                           WHERE chasable AND expected_payment_date > %(today)s) AS postponed_until
                  FROM items
              GROUP BY partner_id
            ),
            oldest AS (
                SELECT DISTINCT ON (partner_id) partner_id, due_date, received_delay
                  FROM items
                 WHERE chasable
                   AND (expected_payment_date IS NULL OR expected_payment_date <= %(today)s)
              ORDER BY partner_id, due_date, received_delay NULLS FIRST, id
            )
            SELECT totals.partner_id, totals.balance, COALESCE(totals.overdue, 0),
                   totals.postponed_until, oldest.due_date, oldest.received_delay
              FROM totals
         LEFT JOIN oldest ON oldest.partner_id = totals.partner_id
            """,
            items=self._open_items_sql(company, partner_ids),
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
    def _apply_manual_mode(self, summary, planned_date, today):
        """Status and next date of a customer in manual mode: a person planned
        the next reminder, the plan does not decide.

        :return: (status, next_date)
        """
        if not summary or summary["balance"] <= 0:
            return STATUS_NONE, planned_date
        if planned_date and planned_date <= today:
            return STATUS_ACTION, planned_date
        return (STATUS_OVERDUE if summary["total_overdue"] else STATUS_NONE), planned_date

    @api.model
    def _get_item_due_date(self, item):
        """Python twin of DUE_DATE_SQL."""
        move = item.move_id
        if not move.invoice_payment_term_id and move.invoice_date:
            return move.invoice_date
        return item.date_maturity or move.invoice_date or move.date

    @api.model
    def _item_reached_level(self, levels, item, today):
        """The highest level whose delay ``item`` (an open journal item) has reached."""
        days_late = (today - self._get_item_due_date(item)).days
        return levels.filtered(lambda lvl: lvl.delay <= days_late)[-1:]

    # ------------------------------------------------------------
    # STATEMENT
    # ------------------------------------------------------------

    @api.model
    def _get_statement_items(self, partner, company):
        return self.env["account.move.line"].search(
            self._get_open_items_domain(company, partner.commercial_partner_id),
            order="date_maturity, id",
        )

    @api.model
    def _get_statement(self, partner, company=None, today=None, only_overdue=False):
        """One customer's statement: its open items and totals per currency, as
        plain values shared by the screen, the e-mail and the letter."""
        company = company or self.env.company
        today = today or fields.Date.context_today(self)
        items = self._get_statement_items(partner, company)
        lines = []
        totals = defaultdict(lambda: {"due": 0.0, "overdue": 0.0})
        for item in items:
            move = item.move_id
            due_date = self._get_item_due_date(item)
            days_late = (today - due_date).days
            excluded = item.blocked or move.followup_excluded
            in_dispute = move.followup_in_dispute  # disputes: shown, not chased
            if only_overdue and (days_late <= 0 or excluded or in_dispute):
                continue
            currency = item.currency_id
            amount = item.amount_residual_currency if currency != company.currency_id else item.amount_residual
            total = totals[currency]
            total["due"] += amount
            if days_late > 0 and not excluded and not in_dispute:
                total["overdue"] += amount
            lines.append(
                {
                    "id": item.id,
                    "move_id": move.id,
                    "name": move.name,
                    "reference": move.ref or (move.payment_reference if move.payment_reference != move.name else ""),
                    "date": move.invoice_date or move.date,
                    "due_date": due_date,
                    "expected_date": move.expected_payment_date,
                    "days_late": max(days_late, 0),
                    "amount": amount,
                    "currency": currency,
                    "excluded": excluded,
                    "in_dispute": in_dispute,
                    "level": item.followup_level_id,
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

    # ------------------------------------------------------------
    # EXECUTION
    # ------------------------------------------------------------

    @api.model
    def _execute_followups(self, company, batch_size=100, today=None):
        """Execute the automated follow-ups due today in ``company``.

        Each customer is processed in its own transaction (committed at once
        outside tests): its row is locked first and its situation read again,
        so a second worker skips it or finds nothing left to do, and a crash
        loses at most the customer in progress, which the next run redoes.
        E-mails, SMS and letters are queued in that same transaction, so they
        exist exactly when the step is recorded.

        :return: True when customers remain for another run.
        """
        today = today or fields.Date.context_today(self)
        Partner = self.env["res.partner"].with_company(company)
        due = self._get_due_followups(company, today)
        report = self.env.context.get("followup_report")
        if self._check_email_cap(company, due, report):
            return False
        auto_commit = Partner._is_followup_auto_commit()
        for partner, _level in due[:batch_size]:
            # Each customer with its own prefetch: after each commit, reading a
            # field of a customer of the batch would read or compute it for up to
            # 1,000 customers due (e-mail addresses, names, responsibles).
            partner = partner.with_prefetch()
            try:
                with self.env.cr.savepoint(flush=True):
                    done = self._execute_partner(partner, company, today)
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
        """[(partner, level)] of the customers in automatic mode with a level due."""
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
        # A level for a person stays due until the person does it: once proposed
        # (its activity exists) the run has nothing left to do for it. Leaving it
        # in would fill every batch with the same customers, starve the others
        # and re-trigger the scheduled action for ever.
        manual_levels = {level.id for _partner, level in due if not level.auto_execute}
        if manual_levels:
            proposed = set(
                self.env["mail.activity"]._read_group(
                    [
                        ("res_model", "=", "res.partner"),
                        ("res_id", "in", [partner.id for partner, level in due if level.id in manual_levels]),
                        ("followup_level_id", "in", list(manual_levels)),
                    ],
                    ["res_id", "followup_level_id"],
                )
            )
            due = [(partner, level) for partner, level in due if (partner.id, level) not in proposed]
        return due

    @api.model
    def _check_email_cap(self, company, due, report=None):
        """Safety valve: when today's run would send more automated e-mails than
        the company allows, send nothing and warn the responsible instead.

        :return: True when the run must stop.
        """
        emails = sum(1 for _partner, level in due if level.auto_execute and level.send_email)
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
        preview = []
        for partner, level in self._get_due_followups(company, today):
            partner = partner.with_company(company)
            actions = []
            if not level.auto_execute:
                responsible = partner._get_followup_responsible(level)
                actions.append(_("proposed to %s", responsible.name))
            else:
                if level.send_email:
                    recipients = partner._get_followup_email_recipients()
                    actions.append(
                        _("e-mail to %s", ", ".join(recipients.mapped("email")))
                        if recipients
                        else _("e-mail skipped: the customer has no e-mail address")
                    )
                if level.send_letter:
                    actions.append(
                        _("letter")
                        if partner._has_followup_postal_address()
                        else _("letter skipped: the customer has no complete postal address")
                    )
                if level.send_sms:
                    number = partner._get_followup_sms_number()
                    actions.append(
                        _("SMS to %s", number) if number else _("SMS skipped: the customer has no valid mobile number")
                    )
                if level.manual_action:
                    actions.append(_("activity for %s", partner._get_followup_responsible(level).name))
            preview.append({"partner": partner, "level": level, "actions": actions})
        return preview

    @api.model
    def _lock_partner(self, partner):
        """Lock a customer's row for this transaction; False when another
        transaction holds it or changed it since this one began."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED",
                    [partner.id],
                )
                return bool(self.env.cr.fetchone())
        except psycopg2.errors.SerializationFailure:
            return False

    @api.model
    def _execute_partner(self, partner, company, today):
        """Execute the level due for one customer, if it is still due once locked."""
        if not self._lock_partner(partner):
            return None
        summary = self._get_partner_summaries(company, partner_ids=partner.ids, today=today).get(partner.id)
        if not summary or summary["status"] != STATUS_ACTION or not summary["level"]:
            return None
        level = summary["level"]
        if not level.auto_execute:
            partner._followup_propose_level(level)
            return {"partner": partner, "level": level, "done": [_("proposed to a person")], "skipped": []}
        return self._execute_level(partner, level, today)

    @api.model
    def _execute_level(self, partner, level, today=None):
        """Do every action of ``level`` for ``partner``; an action that cannot be
        done is skipped with its reason, never the whole follow-up."""
        today = today or fields.Date.context_today(self)
        done, skipped = [], []
        actions = [
            (level.send_email, _("e-mail"), partner._followup_send_email),
            (level.send_letter, _("letter"), partner._followup_send_letter),
            (level.send_sms, _("SMS"), partner._followup_send_sms),
            (level.manual_action, _("manual action"), partner._followup_schedule_manual_action),
        ]
        for enabled, label, method in actions:
            if not enabled:
                continue
            try:
                with self.env.cr.savepoint(flush=True):
                    done.append(method(level))
            except FollowupSkip as skip:
                skipped.append((label, str(skip)))
            except Exception as error:  # a broken template must not stop the run
                _logger.warning("Follow-up %s of partner %s failed: %s", label, partner.id, error)
                skipped.append((label, _("it failed: %s", error)))
        partner._followup_record_level(level, today)
        partner._followup_log(level, done, skipped)
        if skipped:
            partner._followup_report_skipped(level, skipped)
        return {"partner": partner, "level": level, "done": done, "skipped": skipped}


class FollowupSkip(Exception):
    """An action of a follow-up level cannot be done for this customer; the
    message says why, in the user's language."""
