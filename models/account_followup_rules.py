"""The follow-up rules: what is due, which level, what a statement shows.

What a customer owes and how late, the level each item has reached, the
status and the next follow-up date, the statement and the situation of a
batch of customers worked out once: the scheduled action, the statements
screen, Send & Print, the letter, the e-mail and the status search all ask
this model. Running a batch is ``account_followup_execution.py``; recording
what was done is ``account_followup_recording.py``.
"""

import logging
from collections import defaultdict
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..followup.definitions import CHASABLE_SQL, DUE_DATE_SQL, STATUS_ACTION, STATUS_NONE, STATUS_OVERDUE
from ..followup.situation import FollowupSituation
from .account_followup_step import STEP_IN_PROGRESS

_logger = logging.getLogger(__name__)

# Below any level's delay (see account.followup.level's MAX_DELAY_DAYS): an
# item that received no level, in the integer arrays the summaries compare.
NO_LEVEL_RECEIVED = -(2**31)


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
        """{plan: its active levels ordered by delay} of the company's active
        plans, two queries whatever the number of plans."""
        plans = self.env["account.followup.plan"]._get_company_plans(company)
        levels = self.env["account.followup.level"].search(
            [("company_id", "=", company.id), ("plan_id", "in", plans.ids)], order="delay"
        )
        by_plan = {plan: levels.browse() for plan in plans}
        for level in levels:
            by_plan[level.plan_id] |= level
        return by_plan

    @api.model
    def _get_plan_pairs(self, levels_by_plan):
        """{plan id: [(delay, level)]} of :meth:`_get_levels`: what the rules
        apply, read once (recordset filtering per customer was a third of the
        status search at 10,000 customers)."""
        return {plan.id: [(level.delay, level) for level in levels] for plan, levels in levels_by_plan.items()}

    @api.model
    def _get_partner_summaries(self, company, partner_ids=None, today=None):
        """Follow-up situation of customers of ``company``, computed for all of
        them together.

        :return: {partner_id: summary dict} for every customer with open items:
            ``balance``, ``total_overdue`` (company currency), ``oldest_due_date``
            (oldest chased item), ``reached`` (highest level its delay has
            reached), ``level`` (level due now, or empty),
            ``received_delay`` (last level that item received, in any plan),
            ``next_date`` (when the next level becomes due), ``status`` and
            ``plan`` (the customer's plan, whose levels apply).

        Levels are compared by their delay, whatever the plan they belong to: a
        customer who changes plan (a person's choice, or its data now matches
        another plan's filter) is due, in its new plan, for the highest level
        its oldest item has reached if that level's delay is beyond the delay
        of the last level the item received in any plan; the new plan's
        earlier levels are never sent, and a level already passed in the old
        plan is not repeated.
        """
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        levels_by_plan = self._get_levels(company)
        plans = self.env["account.followup.plan"].union(*levels_by_plan)
        query = self._partner_summaries_sql(company, partner_ids, today, plans)
        self.env.cr.execute(query)
        rows = self.env.cr.fetchall()
        pairs = self._get_plan_pairs(levels_by_plan)
        Level = self.env["account.followup.level"]
        Plan = self.env["account.followup.plan"]
        summaries = {}
        for partner_id, balance, overdue, postponed_until, oldest_due, received_delay, plan_id in rows:
            plan = pairs.get(plan_id, [])
            summary = self._summarize(
                Level, today, balance, overdue, postponed_until, oldest_due, received_delay, plan=plan
            )
            summary["plan"] = Plan.browse(plan_id)
            summaries[partner_id] = summary
        return summaries

    @api.model
    def _partner_summaries_sql(self, company, partner_ids, today, plans):
        """SQL of the aggregated situation of customers of ``company``, one
        row per customer with open items: ``partner_id``, ``balance``,
        ``overdue``, ``postponed_until``, ``oldest_due``, ``received_delay``
        and ``plan_id`` (see :meth:`_get_partner_summaries`).

        :param plans: the company's active plans
        """
        Plan = self.env["account.followup.plan"]
        chosen = SQL("")
        if partner_ids is None:
            # All the customers: the plans persons chose joined at once, rather
            # than looked up customer by customer.
            chosen = SQL(
                "LEFT JOIN (%s) chosen ON chosen.partner_id = totals.partner_id", Plan._get_chosen_plans_sql(company)
            )
        plan = Plan._get_partner_plan_sql(
            company,
            SQL("totals.partner_id"),
            plans=plans,
            chosen=SQL("chosen.plan_id") if partner_ids is None else None,
        )
        return SQL(
            """
            WITH totals AS (
                -- One pass over the items, aggregated per customer: its balance,
                -- what is overdue, and its oldest chased item (the first by due
                -- date, the one that received no level first, then by id): the
                -- smallest [due date, level received, id] array, a plain MIN
                -- (no sort per customer); no level received counts as the lowest.
                SELECT partner_id,
                       SUM(residual) AS balance,
                       SUM(residual) FILTER (WHERE chasable AND due_date < %(today)s) AS overdue,
                       MIN(expected_payment_date) FILTER (WHERE chasable AND NOT chased) AS postponed_until,
                       MIN(ARRAY[due_date - %(epoch)s, COALESCE(received_delay, %(no_level)s), id])
                           FILTER (WHERE chased) AS oldest
                  FROM (%(items)s) items
              GROUP BY partner_id
            )
            SELECT totals.partner_id, totals.balance, COALESCE(totals.overdue, 0) AS overdue,
                   totals.postponed_until,
                   %(epoch)s + totals.oldest[1] AS oldest_due,
                   NULLIF(totals.oldest[2], %(no_level)s) AS received_delay,
                   %(plan)s AS plan_id
              FROM totals
                   %(chosen)s
            """,
            items=self._open_items_sql(company, partner_ids, today),
            today=today,
            epoch=date(2000, 1, 1),
            no_level=NO_LEVEL_RECEIVED,
            # The customer's plan, resolved in the same query (one sub-query per plan).
            plan=plan,
            chosen=chosen,
        )

    @api.model
    def _partner_statuses_sql(self, company, today=None, partner_ids=None):
        """SQL of the follow-up status of the customers of ``company`` with
        open items, the rules of :meth:`_summarize` and
        :meth:`_apply_reminder_type` applied by the database: one row per
        customer with the columns of :meth:`_partner_summaries_sql` and
        ``total_overdue``, ``reached_id``, ``reached_delay`` (the highest level
        of its plan its oldest chased item reached) and ``status``.

        For the screens and searches that filter, sort and count customers:
        the database does it in the query that aggregates their items, rather
        than Python for every customer. A customer in manual mode is due once
        the date a person planned has come: its company-dependent reminder type
        and planned date are read from their ``ir_property`` rows in the same
        query (the record's value in the company, else the company's default,
        as the ORM reads them)."""
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        # The levels are read by the query itself: only the plans are needed first.
        plans = self.env["account.followup.plan"]._get_company_plans(company)
        return SQL(
            """
            WITH summaries AS MATERIALIZED (%(summaries)s),
            levels AS (
                SELECT id, plan_id, delay, LEAD(delay) OVER (PARTITION BY plan_id ORDER BY delay) AS next_delay
                  FROM account_followup_level
                 WHERE plan_id = ANY(%(plan_ids)s)
                   AND company_id = %(company)s
                   AND active
            ),
            reminder_type AS (%(reminder_type)s),
            planned_date AS (%(planned_date)s),
            classified AS (
                SELECT s.*,
                       CASE WHEN s.balance > 0 THEN LEAST(s.overdue, s.balance) ELSE 0 END AS total_overdue,
                       reached.id AS reached_id,
                       reached.delay AS reached_delay,
                       COALESCE(rt.value, (SELECT value FROM reminder_type WHERE partner_id IS NULL)) = 'manual'
                           AS manual,
                       CASE WHEN pd.partner_id IS NOT NULL THEN pd.value
                            ELSE (SELECT value FROM planned_date WHERE partner_id IS NULL) END AS planned_date
                  FROM summaries s
             -- The level reached: the one whose delay the oldest chased item
             -- passed and the next level's not yet (one level per customer).
             LEFT JOIN levels reached
                    ON reached.plan_id = s.plan_id
                   AND s.balance > 0
                   AND reached.delay <= %(today)s - s.oldest_due
                   AND (reached.next_delay IS NULL OR reached.next_delay > %(today)s - s.oldest_due)
             LEFT JOIN reminder_type rt ON rt.partner_id = s.partner_id
             LEFT JOIN planned_date pd ON pd.partner_id = s.partner_id
            )
            SELECT classified.*,
                   CASE WHEN balance <= 0 THEN %(none)s
                        WHEN manual THEN
                            CASE WHEN planned_date <= %(today)s THEN %(action)s
                                 WHEN overdue > 0 THEN %(overdue)s
                                 ELSE %(none)s END
                        WHEN reached_id IS NOT NULL AND (received_delay IS NULL OR reached_delay > received_delay)
                            THEN %(action)s
                        WHEN overdue > 0 THEN %(overdue)s
                        ELSE %(none)s
                   END AS status
              FROM classified
            """,
            summaries=self._partner_summaries_sql(company, partner_ids, today, plans),
            reminder_type=self._partner_property_sql(company, "followup_reminder_type", SQL("value_text")),
            planned_date=self._partner_property_sql(company, "followup_planned_date", SQL("value_datetime::date")),
            plan_ids=plans.ids,
            company=company.id,
            today=today,
            none=STATUS_NONE,
            action=STATUS_ACTION,
            overdue=STATUS_OVERDUE,
        )

    @api.model
    def _partner_property_sql(self, company, field_name, value):
        """SQL of the values of a company-dependent field of res.partner in
        ``company`` (``partner_id``, ``value``): one row per customer with a
        value of its own (the company's row before the one of all companies, as
        ``ir.property._get_multi`` reads them), and the default value in the
        row whose ``partner_id`` is NULL."""
        field_id = self.env["ir.model.fields"]._get("res.partner", field_name).id
        return SQL(
            """
            SELECT DISTINCT ON (res_id)
                   CASE WHEN res_id IS NULL THEN NULL ELSE substr(res_id, %(offset)s)::integer END AS partner_id,
                   %(value)s AS value
              FROM ir_property
             WHERE fields_id = %(field_id)s
               AND (company_id = %(company)s OR company_id IS NULL)
               AND (res_id IS NULL OR res_id LIKE %(pattern)s)
          ORDER BY res_id, company_id NULLS LAST
            """,
            offset=len("res.partner,") + 1,
            pattern="res.partner,%",
            value=value,
            field_id=field_id,
            company=company.id,
        )

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
    def _get_mail_template(self, company, level, reached=None, plan=None):
        """The e-mail template of the level due, else of the last level the
        customer reached: empty when that level has none. A level never
        borrows another level's template (a formal notice titled "Second
        payment reminder"); the person sending picks one. A customer who
        reached no level yet (a statement sent before anything is due) gets
        the first e-mail template of its plan (``plan``, else the default)."""
        reference = level or reached
        if reference:
            return reference.mail_template_id
        plan = plan or company.followup_default_plan_id
        levels = self._get_levels(company).get(plan, self.env["account.followup.level"])
        return levels.filtered("mail_template_id")[:1].mail_template_id

    # ------------------------------------------------------------
    # SITUATIONS: COMPUTED ONCE, PASSED DOWN
    # ------------------------------------------------------------

    @api.model
    def _get_situations(self, company, partners, today=None):
        """{commercial partner id: FollowupSituation} for these customers, with
        a fixed number of queries whatever their number."""
        today = today or fields.Date.context_today(self)
        partners = partners.commercial_partner_id.with_company(company)
        summaries = self._get_partner_summaries(company, partner_ids=partners.ids, today=today)
        rows = self._read_open_items(company, partners.ids, today)
        pairs = self._get_plan_pairs(self._get_levels(company))
        # The plan of the customers without open items (a statement sent anyway).
        Plan = self.env["account.followup.plan"]
        plan_ids = Plan._get_partner_plan_ids(company, [pid for pid in partners.ids if pid not in summaries])
        plan_ids.update((pid, summary["plan"].id) for pid, summary in summaries.items())
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
            level = summary["level"] if summary else self.env["account.followup.level"]
            partner_steps = open_steps.filtered(lambda s, p=partner: s.partner_id == p)
            situations[partner.id] = FollowupSituation(
                self.env,
                partner,
                company,
                today,
                summary,
                rows.get(partner.id, []),
                pairs.get(plan_ids.get(partner.id), []),
                partner_steps.filtered(lambda s, lvl=level: s.level_id == lvl)[:1],
                open_steps=partner_steps,
                page=pages.get(partner.id),
                followup_plan=Plan.browse(plan_ids.get(partner.id)),
            )
        return situations

    @api.model
    def _get_situation(self, partner, company=None, today=None):
        company = company or self.env.company
        partner = partner.commercial_partner_id
        return self._get_situations(company, partner, today)[partner.id]

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
