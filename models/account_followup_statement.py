from datetime import date

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount, format_date

from ..followup.definitions import STATUS_ACTION, STATUS_NONE, STATUS_OVERDUE

TRUST_VALUES = ("good", "normal", "bad")


class AccountFollowupStatement(models.AbstractModel):
    """Server side of the Customer statements screen: what the client action
    reads and changes. Everything runs with the user's own rights; reading
    needs an accounting group, changing needs the billing group."""

    _name = "account.followup.statement"
    _description = "Customer Statements"

    _PAGE_SIZE = 40

    @api.model
    def _check_read_access(self):
        user = self.env.user
        if not (user.has_group("account.group_account_invoice") or user.has_group("account.group_account_readonly")):
            raise AccessError(_("The customer statements are for accounting users."))

    @api.model
    def _check_write_access(self):
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only billing users can change follow-ups."))

    # ------------------------------------------------------------
    # READ
    # ------------------------------------------------------------

    @api.model
    def get_customers(self, filter_name="action", search="", offset=0, limit=None, order=None, plan_id=None):
        """One page of customers, those in need of action first.

        :param filter_name: "action" (in need of action), "overdue" (with
            overdue invoices, those in need of action included), "all" (all
            who owe something or are owed) or "balanced" (open items that
            balance each other to zero, e.g. an invoice and its credit note)
        :param search: part of the name, the responsible, the level or the plan
        :param plan_id: only the customers of this follow-up plan
        :param order: a column of the list ("name", "status", "total_due",
            "total_overdue", "level", "next_date", "responsible", "trust"),
            optionally followed by " desc"; default: status, then most overdue
        """
        self._check_read_access()
        limit = limit or self._PAGE_SIZE
        column, _sep, direction = (order or "").partition(" ")
        in_sql = not search and column in self._SQL_ORDERS | {""}
        rows, total = self._read_customer_rows(filter_name, plan_id, (order or "") if in_sql else None, offset, limit)
        summaries, status_of = self._rows_to_summaries(rows)
        Partner = self.env["res.partner"]
        if in_sql:
            # The database filtered, sorted and cut the page: only its customers are read.
            page = Partner.browse([row["partner_id"] for row in rows])
        else:
            partners = Partner.browse([row["partner_id"] for row in rows])
            if search:
                needle = search.lower()
                partners = partners.filtered(
                    lambda p: needle in (p.display_name or "").lower()
                    or needle in (p._get_followup_responsible(summaries[p.id]["reached"] or None).name or "").lower()
                    or needle in (summaries[p.id]["reached"].name or "").lower()
                    or needle in (summaries[p.id]["plan"].name or "").lower()
                )
            ordered = self._sort_customers(partners, summaries, status_of, order)
            total = len(ordered)
            page = ordered[offset : offset + limit]
        return {
            "total": total,
            "offset": offset,
            "limit": limit,
            "order": order or "",
            "can_edit": self.env.user.has_group("account.group_account_invoice"),
            "followup_enabled": self.env.company.payment_followup_enabled,
            "customers": [self._prepare_customer_row(p, summaries[p.id], status_of[p.id]) for p in page],
            "labels": self._get_labels(),
            "plans": self._prepare_plans(),
            "plan_id": plan_id or False,
        }

    # The columns the database sorts (the others, and a search, are done in
    # Python over the customers the filter keeps).
    _SQL_ORDERS = {"name", "status", "total_due", "total_overdue", "level"}

    @api.model
    def _read_customer_rows(self, filter_name, plan_id, order, offset, limit):
        """The customers of the filter, with their follow-up status and totals
        (see ``account.followup._partner_statuses_sql``), one query.

        :param order: a column of ``_SQL_ORDERS`` (or empty: the default order)
            with its direction: the page ``offset``/``limit`` in that order;
            None: all the customers of the filter, unordered
        :return: (rows as dicts, number of customers of the filter)
        """
        company = self.env.company
        # The search applies the user's access rules: never another company's customer.
        visible = self.env["res.partner"]._search([])
        conditions = [SQL("statuses.partner_id IN %s", visible.subselect())]
        # Every customer with a row has open items; those whose items balance to
        # zero owe nothing: apart, under their own filter.
        is_zero = SQL("ROUND(statuses.balance / %s::numeric) = 0", str(company.currency_id.rounding))
        conditions.append(is_zero if filter_name == "balanced" else SQL("NOT %s", is_zero))
        wanted = {"action": [STATUS_ACTION], "overdue": [STATUS_ACTION, STATUS_OVERDUE]}.get(filter_name)
        if wanted:
            conditions.append(SQL("statuses.status = ANY(%s)", wanted))
        if plan_id:
            conditions.append(SQL("statuses.plan_id = %s", plan_id))
        query = SQL(
            """
            SELECT statuses.*, COUNT(*) OVER () AS total
              FROM (%(statuses)s) statuses
              JOIN res_partner partner ON partner.id = statuses.partner_id
             WHERE %(conditions)s
            """,
            statuses=self.env["account.followup"]._partner_statuses_sql(company),
            conditions=SQL(" AND ").join(conditions),
        )
        if order is None:
            # In the customers' list order (the ties of the sorts in Python).
            self.env.cr.execute(SQL("%s ORDER BY partner.complete_name, partner.id DESC", query))
            return self.env.cr.dictfetchall(), None
        self.env.cr.execute(SQL("%s ORDER BY %s LIMIT %s OFFSET %s", query, self._order_by_sql(order), limit, offset))
        rows = self.env.cr.dictfetchall()
        if not rows and offset:
            # Past the last page: the count is still wanted.
            self.env.cr.execute(SQL("SELECT COUNT(*) FROM (%s) customers", query))
            return rows, self.env.cr.fetchone()[0]
        total = rows[0]["total"] if rows else 0
        return rows, total

    @api.model
    def _order_by_sql(self, order):
        """ORDER BY of :meth:`_read_customer_rows`: the order of
        :meth:`_sort_customers`, ties by name (ascending), then as the
        customers' list (``res.partner._order``)."""
        column, _sep, direction = (order or "").partition(" ")
        name = SQL("LOWER(COALESCE(partner.complete_name, '')) COLLATE \"C\"")
        rank = SQL("CASE statuses.status WHEN %s THEN 0 WHEN %s THEN 1 ELSE 2 END", STATUS_ACTION, STATUS_OVERDUE)
        ties = SQL("%s, partner.complete_name, partner.id DESC", name)
        if column not in self._SQL_ORDERS:
            return SQL("%s, statuses.total_overdue DESC, %s", rank, ties)
        key = {
            "name": name,
            "status": rank,
            "total_due": SQL("statuses.balance"),
            "total_overdue": SQL("statuses.total_overdue"),
            "level": SQL("COALESCE(statuses.reached_delay, -1000000)"),
        }[column]
        if column == "name":
            ties = SQL("partner.complete_name, partner.id DESC")
        return SQL("%s %s, %s", key, SQL("DESC" if direction.lower() == "desc" else "ASC"), ties)

    @api.model
    def _rows_to_summaries(self, rows):
        """({partner id: summary}, {partner id: status}) of rows of
        :meth:`_read_customer_rows`: the engine's rules applied to the
        customers' aggregated items read by that query (no query per customer,
        nor a second pass over their items for the next follow-up date)."""
        followup = self.env["account.followup"]
        today = fields.Date.context_today(self)
        pairs = followup._get_plan_pairs(followup._get_levels(self.env.company)) if rows else {}
        Level = self.env["account.followup.level"]
        Plan = self.env["account.followup.plan"].browse({row["plan_id"] for row in rows})
        summaries, status_of = {}, {}
        for row in rows:
            summary = followup._summarize(
                Level,
                today,
                row["balance"],
                row["overdue"],
                row["postponed_until"],
                row["oldest_due"],
                row["received_delay"],
                plan=pairs.get(row["plan_id"], []),
            )
            summary["plan"] = Plan.browse(row["plan_id"]).with_prefetch(Plan._prefetch_ids)
            if row["manual"]:
                summary = followup._apply_reminder_type(summary, "manual", row["planned_date"], today)
            summaries[row["partner_id"]] = summary
            status_of[row["partner_id"]] = row["status"]
        return summaries, status_of

    @api.model
    def _prepare_plans(self):
        """The current company's follow-up plans, for the screen's filter and selector."""
        plans = self.env["account.followup.plan"].search([("company_id", "=", self.env.company.id)])
        return [{"id": plan.id, "name": plan.name, "is_default": plan.is_default} for plan in plans]

    @api.model
    def _get_labels(self):
        """{field: {value: label}} of the values the screen shows by their
        code (trust, follow-up status): the fields' own selection labels, in
        the user's language, so that the screen says what the forms say."""
        Partner = self.env["res.partner"]
        return {
            name: dict(Partner._fields[field]._description_selection(self.env))
            for name, field in (("trust", "trust"), ("status", "followup_status"))
        }

    @api.model
    def _sort_customers(self, partners, summaries, status_of, order):
        rank = {STATUS_ACTION: 0, STATUS_OVERDUE: 1, STATUS_NONE: 2}
        column, _sep, direction = (order or "").partition(" ")
        name_key = {p.id: (p.display_name or "").lower() for p in partners}
        keys = {
            "name": lambda p: name_key[p.id],
            "status": lambda p: rank[status_of[p.id]],
            "total_due": lambda p: summaries[p.id]["balance"],
            "total_overdue": lambda p: summaries[p.id]["total_overdue"],
            "level": lambda p: (summaries[p.id]["reached"].delay if summaries[p.id]["reached"] else -(10**6)),
            "plan": lambda p: (summaries[p.id]["plan"].name or "").lower(),
            # empty dates last in ascending order
            "next_date": lambda p: summaries[p.id]["next_date"] or date.max,
            "responsible": lambda p: (
                p._get_followup_responsible(summaries[p.id]["reached"] or None).name or ""
            ).lower(),
            "trust": lambda p: ("bad", "normal", "good").index(p.trust or "normal"),
        }
        if column not in keys:
            return partners.sorted(lambda p: (rank[status_of[p.id]], -summaries[p.id]["total_overdue"], name_key[p.id]))
        key = keys[column]
        # Ties by name, always ascending.
        ordered = partners.sorted(lambda p: name_key[p.id])
        return ordered.sorted(key, reverse=direction.lower() == "desc")

    @api.model
    def _prepare_customer_row(self, partner, summary, status):
        currency = self.env.company.currency_id
        next_date = summary["next_date"]
        return {
            "id": partner.id,
            "name": partner.display_name,
            "status": status,
            "total_due": format_amount(self.env, summary["balance"], currency),
            "total_overdue": format_amount(self.env, summary["total_overdue"], currency),
            "level": summary["reached"].name or "",
            "plan": summary["plan"].name or "",
            "plan_id": summary["plan"].id,
            "next_date": format_date(self.env, next_date) if next_date else "",
            "next_date_past": bool(next_date and next_date < fields.Date.context_today(self)),
            # the same person the statement shows (the level's, the customer's, ...)
            "responsible": partner._get_followup_responsible(summary["reached"] or None).name or "",
            "trust": partner.trust or "normal",
        }

    @api.model
    def get_statement(self, partner_id):
        """Everything the screen shows for one customer (also when nothing is due)."""
        self._check_read_access()
        partner = self.env["res.partner"].browse(partner_id).exists().commercial_partner_id
        if not partner:
            raise UserError(_("This customer does not exist anymore."))
        partner.check_access_rights("read")
        partner.check_access_rule("read")
        statement = self.env["account.followup"]._get_statement(partner)
        level = partner.followup_level_id
        status = partner.followup_status
        return {
            "id": partner.id,
            "name": partner.display_name,
            # Odoo's address format leaves an empty line for each empty field.
            "address": "\n".join(
                line for line in partner._display_address(without_company=True).splitlines() if line.strip()
            ),
            "history": self._prepare_history(partner),
            "email": partner.email or "",
            "phones": self._prepare_phones(partner),
            "trust": partner.trust or "normal",
            "status": status,
            "reminder_type": partner.followup_reminder_type or "automatic",
            "next_date": format_date(self.env, partner.followup_next_action_date)
            if partner.followup_next_action_date
            else "",
            "responsible": partner._get_followup_responsible(level or None).name,
            "next_date_past": bool(
                partner.followup_next_action_date
                and partner.followup_next_action_date < fields.Date.context_today(self)
            ),
            "letter_to_print": bool(partner.followup_letter_to_print),
            "followup_enabled": self.env.company.payment_followup_enabled,
            "can_edit": self.env.user.has_group("account.group_account_invoice"),
            "level": self._prepare_level(level, due=status == STATUS_ACTION, partner=partner, lines=statement["lines"]),
            **self._prepare_plan(partner),
            # What was done last and what comes next: also after a promise or a
            # snooze, when no item is chased today and no level is "reached".
            "last_followup": self._prepare_last_followup(partner),
            "next_level": self._get_next_level(partner, status).name or "",
            **self._prepare_conversation(partner),
            "lines": [self._prepare_line(line) for line in statement["lines"]],
            "payment_behaviour": self._prepare_payment_behaviour(self._get_payment_behaviour(partner)),
            "totals": [
                {
                    "currency": total["currency"].name,
                    "due": format_amount(self.env, total["due"], total["currency"]),
                    "overdue": format_amount(self.env, total["overdue"], total["currency"]),
                }
                for total in statement["totals"]
            ],
            "labels": self._get_labels(),
        }

    @api.model
    def _prepare_plan(self, partner):
        """The customer's follow-up plan in the company, whether a person chose
        it, and the plans it can be given."""
        company = self.env.company
        plan_id = self.env["account.followup.plan"]._get_partner_plan_ids(company, partner.ids).get(partner.id)
        plan = self.env["account.followup.plan"].browse(plan_id)
        chosen = partner.with_company(company).followup_plan_id
        return {
            "plan": {"id": plan.id, "name": plan.name} if plan else False,
            # a chosen plan archived since then no longer applies: the filters decide
            "plan_chosen": bool(chosen) and chosen == plan,
            "plans": self._prepare_plans(),
        }

    @api.model
    def _prepare_last_followup(self, partner):
        """The customer's last follow-up step in this company: its level, when
        and by whom (the person who did it, else the scheduled action)."""
        step = self.env["account.followup.step"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)], limit=1
        )
        if not step:
            return False
        return {
            "id": step.id,
            "level": step.level_id.name,
            "date": format_date(self.env, step.date),
            "user": self._get_step_author(step),
            "in_progress": step.state == "in_progress",
        }

    @api.model
    def _get_next_level(self, partner, status):
        """The level the customer will be due for at its next follow-up date:
        the plan applied to the customer's items on that day (promises and
        snoozes ending by then count), as the scheduled action will do."""
        next_date = partner.followup_next_action_date
        if status == STATUS_ACTION:
            next_date = fields.Date.context_today(self)
        if not next_date:
            return self.env["account.followup.level"]
        summary = (
            self.env["account.followup"]
            ._get_partner_summaries(self.env.company, partner_ids=partner.ids, today=next_date)
            .get(partner.id)
        )
        if not summary:
            return self.env["account.followup.level"]
        return summary["level"] or summary["reached"]

    @api.model
    def _prepare_level(self, level, due, partner=None, lines=()):
        """The level shown for the customer, with what its late-payment
        charges would be and why (businesses, consumers: see
        account.followup.step._get_charges_summary) on its overdue ``lines``
        (of the statement)."""
        if not level:
            return False
        charges = ""
        if partner:
            items = self.env["account.move.line"].browse(
                [line["id"] for line in lines if line["days_late"] > 0 and not line["is_credit"]]
            )
            charges = self.env["account.followup.step"]._get_charges_summary(
                partner, level, fields.Date.context_today(self), items
            )
        return {
            "charges": charges,
            "id": level.id,
            "name": level.name,
            "due": due,
            "auto": level.auto_execute,
            "note": level.note or "",
            # What the level does, from the channel table: [{"code", "label"}]
            "actions": [
                {"code": channel.code, "label": channel.title()}
                for channel in self.env["account.followup"]._get_channels()
                if channel.is_enabled(level)
            ],
            "manual_action_note": level.manual_action_note or "",
        }

    @api.model
    def _prepare_line(self, line):
        return {
            "id": line["id"],
            "move_id": line["move_id"],
            "name": line["name"],
            "reference": line["reference"],
            "date": format_date(self.env, line["date"]),
            "due_date": format_date(self.env, line["due_date"]),
            "expected_date": fields.Date.to_string(line["expected_date"]) if line["expected_date"] else "",
            "expected_date_display": format_date(self.env, line["expected_date"]) if line["expected_date"] else "",
            "days_late": line["days_late"],
            "amount": format_amount(self.env, line["amount"], line["currency"]),
            "excluded": bool(line["excluded"]),
            "is_credit": line["is_credit"],
            "in_dispute": bool(line.get("in_dispute")),
        }

    @api.model
    def _prepare_history(self, partner, limit=5):
        """The customer's last follow-up steps in this company."""
        steps = self.env["account.followup.step"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)], limit=limit
        )
        return [
            {
                "id": step.id,
                "date": format_date(self.env, step.date),
                "level": step.level_id.name,
                "outcome": step.channel_summary,
                "user": self._get_step_author(step),
                "in_progress": step.state == "in_progress",
            }
            for step in steps
        ]

    @api.model
    def _get_step_author(self, step):
        """Who did a step: the person who did (part of) it, else the scheduled action."""
        return _("the scheduled action") if step.automatic else step.user_id.name

    @api.model
    def _prepare_conversation(self, partner):
        """Disputes, promises and replies of the customer (see res.partner)."""
        today = fields.Date.context_today(self)
        disputes = self.env["account.followup.dispute"].search(
            [("partner_id", "=", partner.id), ("state", "=", "open"), ("company_id", "=", self.env.company.id)]
        )
        broken = self.env["account.followup.promise"].search(
            [
                ("partner_id", "=", partner.id),
                ("state", "=", "broken"),
                ("company_id", "=", self.env.company.id),
                ("move_id.payment_state", "in", ("not_paid", "partial")),
            ]
        )
        paused_until = partner.followup_paused_until
        suggested = partner.followup_suggested_trust
        return {
            "disputes": [
                {
                    "id": dispute.id,
                    "move_id": dispute.move_id.id,
                    "invoice": dispute.move_id.name,
                    "reason": dispute.reason.name,
                    "owner": dispute.user_id.name or "",
                    "age": dispute.age,
                }
                for dispute in disputes
            ],
            "broken_promises": [
                {"id": promise.id, "invoice": promise.move_id.name, "date": format_date(self.env, promise.date)}
                for promise in broken
            ],
            "promises_kept": partner.followup_promises_kept_count,
            "promises_broken": partner.followup_promises_broken_count,
            "suggested_trust": suggested or False,
            "replied": bool(paused_until and paused_until > today),
            "paused_until": format_date(self.env, paused_until) if paused_until else "",
        }

    @api.model
    def _get_payment_behaviour(self, partner, limit=10):
        """How the customer paid its last ``limit`` paid invoices (installments
        apart), oldest first: number, due date, payment date, days late
        (negative: early), amount. One query on the payment delays report."""
        # One customer's rows (not a filter on the whole report's view: its
        # reconciliations grouped for every customer grew with the database).
        rows = self.env["account.followup.payment.report"]._read_partner_payments(partner, self.env.company, limit)
        return [
            {
                "move_id": row["move_id"],
                "name": row["move_name"],
                "due_date": row["due_date"],
                "payment_date": row["payment_date"],
                "days_late": int(row["days_late"]),
                "amount": row["amount"],
            }
            for row in reversed(rows)
        ]

    @api.model
    def _prepare_payment_behaviour(self, payments):
        """The bars of the statement's payment behaviour chart: one per paid
        invoice, its height the days late (capped at 60), its colour the delay."""
        bars = []
        for payment in payments:
            days = payment["days_late"]
            if days < 0:
                tone, title = "early", _("%(invoice)s: paid %(days)s days early", invoice=payment["name"], days=-days)
            elif days == 0:
                tone, title = "early", _("%(invoice)s: paid on its due date", invoice=payment["name"])
            else:
                tone = "late" if days <= 30 else "very_late"
                title = _("%(invoice)s: paid %(days)s days late", invoice=payment["name"], days=days)
            bars.append(
                {
                    "move_id": payment["move_id"],
                    "days_late": days,
                    "height": max(4, min(days, 60) * 100 // 60),
                    "tone": tone,
                    "title": title,
                }
            )
        return bars

    @api.model
    def _prepare_phones(self, partner):
        """Phones formatted for the customer's country (phonenumbers), with a
        tel: link; a number that does not validate is shown as typed."""
        phones = []
        for label, number in ((_("Mobile"), partner.mobile), (_("Phone"), partner.phone)):
            if not number:
                continue
            formatted = partner._format_followup_phone(number, force_format="INTERNATIONAL")
            if formatted:
                link = f"tel:{partner._format_followup_phone(number)}"
                phones.append({"label": label, "display": formatted, "link": link, "valid": True})
            else:
                phones.append({"label": label, "display": number, "link": False, "valid": False})
        return phones

    # ------------------------------------------------------------
    # CHANGE
    # ------------------------------------------------------------

    @api.model
    def set_trust(self, partner_id, trust):
        self._check_write_access()
        if trust not in TRUST_VALUES:
            raise UserError(_("Unknown degree of trust: %s", trust))
        partner = self.env["res.partner"].browse(partner_id).commercial_partner_id
        partner._followup_write({"trust": trust})
        return True

    @api.model
    def set_plan(self, partner_id, plan_id):
        """A person chooses the customer's follow-up plan in the current company
        (False: back to the plans' filters)."""
        self._check_write_access()
        plan = self.env["account.followup.plan"].browse(plan_id or [])
        if plan:
            plan = plan.exists()
            if not plan or plan.company_id != self.env.company:
                raise UserError(_("This follow-up plan is not a plan of %s.", self.env.company.name))
            plan.check_access_rule("read")
            if not plan.active:
                raise UserError(_("The follow-up plan “%s” is archived: choose an active plan.", plan.name))
        partner = self.env["res.partner"].browse(partner_id).commercial_partner_id
        old = partner.followup_plan_id
        partner._followup_write({"followup_plan_id": plan.id})
        if old != plan:
            partner._message_post_followup(
                body=_(
                    "Follow-up plan: %(old)s → %(new)s",
                    old=old.name or _("by the plans' filters"),
                    new=plan.name or _("by the plans' filters"),
                )
            )
        return True

    @api.model
    def _get_writable_move(self, move_id):
        self._check_write_access()
        move = self.env["account.move"].browse(move_id)
        move.check_access_rights("write")
        move.check_access_rule("write")
        return move

    @api.model
    def set_excluded(self, move_id, excluded):
        """Exclude an invoice from follow-ups (litigation), or include it again."""
        self._get_writable_move(move_id).followup_excluded = bool(excluded)
        return True

    @api.model
    def set_expected_date(self, move_id, date):
        """Record a promise to pay: no follow-up for this invoice before ``date``
        (an ISO date, ``YYYY-MM-DD``; empty: no promise)."""
        move = self._get_writable_move(move_id)
        try:
            value = fields.Date.to_date(date) if date else False
        except (TypeError, ValueError):
            value = None
        if value is None or (value and value.year < 1900):
            raise UserError(_("“%s” is not a valid date: nothing was changed.", date))
        if value == move.expected_payment_date:
            return True  # the same date confirmed again: nothing new to record
        if value:
            move._followup_promise(value, origin="user")
        else:
            move.expected_payment_date = False
            move._followup_cancel_promises()
        return True
