"""Late-payment charges of a follow-up step (EU Directive 2011/7/EU).

A level may charge a flat reminder fee, interest on each overdue invoice (at the
company's fixed rate, or the statutory rate of each half-year: see
res.company._get_followup_interest_periods) and the fixed compensation for
recovery costs (once per invoice in its life). Executing such a level creates one "Late payment charges" customer
invoice for the step, in the same transaction as the step.
"""

from datetime import timedelta

from odoo import Command, _, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, formatLang

from ..followup.collection_costs import bik_collection_costs
from ..followup.interest import simple_interest
from .account_move_line import CHARGE_COLLECTION_COSTS, CHARGE_COMPENSATION, CHARGE_FEE, CHARGE_INTEREST

# A consumer has 14 days, counting from the day after the notice reached them,
# to pay without the collection costs (art. 6:96 lid 6 BW).
NOTICE_DAYS = 14


class AccountFollowupChargesMixin(models.AbstractModel):
    """What a follow-up step adds to charge late-payment fees, interest and
    compensation: mixed into ``account.followup.step``, whose fields
    (``charge_move_ids``, ``charge_move_id``) hold the invoice."""

    _name = "account.followup.charges.mixin"
    _description = "Late-payment Charges of a Follow-up Step"

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _create_charges_invoice(self):
        """Invoice the late-payment charges of this step's level on the items
        the step concerned, at the step's date: one customer invoice "Late
        payment charges", posted or left in draft as the company says, linked
        to the step. Called once per step, in the step's own transaction.

        Never twice: the invoice is unique per step (SQL constraint), the
        compensation unique per charged invoice (SQL index), and the customer's
        statement page row is updated first (see _lock_charges_partner), so a second worker waits for the first one and
        then fails on a serialization error instead of charging on stale data.

        :return: the charges invoice, or an empty recordset when nothing was
            charged (the level charges nothing, the customer is exempt, the step
            already has its invoice, nothing is overdue).
        """
        self.ensure_one()
        Move = self.env["account.move"]
        # Whether the step charges anything, read for whoever completes it (a
        # salesperson may mark a call done): the step's own level and customer.
        step = self.sudo()
        level = step.level_id
        partner = step.partner_id.commercial_partner_id
        company = step.company_id
        if not (level.charge_fee or level.charge_interest or level.charge_compensation or level.charge_consumer_costs):
            return Move
        if partner.with_company(company).followup_charges_exempt:
            return Move
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            # The charges invoice is created with the acting person's rights: no
            # elevation to create an invoice for someone who may not.
            raise UserError(
                _(
                    "The follow-up level “%(level)s” invoices late-payment charges to %(customer)s: "
                    "only a user with invoicing rights can mark it done.",
                    level=level.name,
                    customer=partner.display_name,
                )
            )
        self._lock_charges_partner()
        if self.charge_move_id:
            return Move
        lang = partner.lang or self.env.lang
        charges = self.with_context(lang=lang)._get_charges()
        if not charges:
            return Move
        move = Move.with_company(company).create(self.with_context(lang=lang)._prepare_charges_invoice_vals(charges))
        if company.followup_charges_auto_post:
            move.action_post()
        move.message_post(
            body=_(
                "Late-payment charges of the follow-up %(step)s of %(date)s.",
                step=self._get_html_link(title=level.name),
                date=format_date(self.env, self.date),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return move

    def _lock_charges_partner(self):
        """Charges of one customer are computed by one transaction at a time.

        The lock is a row of the addon's own, the customer's statement page in
        the step's company, updated first: a concurrent transaction waits for
        this one, then fails on a serialization error (under REPEATABLE READ,
        a row updated by a transaction committed after its snapshot) instead of
        charging again what this one charged. A plain ``SELECT ... FOR UPDATE``
        would only make it wait, then charge on its stale snapshot. The
        customer's contact is not touched (its "Last Updated" stays the
        person's who last changed it)."""
        partner = self.partner_id.commercial_partner_id
        # Sudo: whoever completes the step may not see the page; a visitor's
        # page is created the same way (see _get_page).
        page = self.env["account.followup.statement.page"].sudo()._get_page(partner, self.company_id)
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_followup_statement_page
                   SET write_date = (now() at time zone 'UTC'), write_uid = %s
                 WHERE id = %s
                """,
                self.env.uid,
                page.id,
            )
        )
        page.invalidate_recordset(["write_date", "write_uid"])
        self.invalidate_recordset(["charge_move_id", "charge_move_ids"])

    def _followup_chargeable_lines(self):
        """The items of this step that late-payment charges may apply to (see
        _get_chargeable_lines)."""
        self.ensure_one()
        # _origin: the items themselves also for a step computed with new()
        return self._get_chargeable_lines(self.company_id, self.move_line_ids._origin)

    @api.model
    def _get_chargeable_lines(self, company, lines):
        """The items of ``lines`` that late-payment charges may apply to: the
        customer's debts (receivable debits of posted entries) that are not
        excluded from follow-ups nor in dispute, and are not themselves
        late-payment charges (no interest on interest, no compensation for a
        charges invoice). The one place that says which invoices are spared."""
        # What can be chased is the engine's rule (CHASABLE_SQL), read once.
        items = self.env["account.followup"]._get_item_rules(company, lines.ids)
        return lines.filtered(
            lambda line: line.id in items
            and items[line.id]["chasable"]
            and line.balance > 0
            and not line.move_id.followup_step_id
        )

    @api.model
    def _get_notice_principal(self, company, lines, day):
        """The principal of the claim a 14-day notice of ``day`` names: what is
        still due, in the company's currency, of the chargeable items of
        ``lines`` that are overdue on ``day``, together (the BIK scale applies
        to the claim, not per invoice)."""
        chargeable = self._get_chargeable_lines(company, lines)
        rules = self.env["account.followup"]._get_item_rules(company, chargeable.ids)
        principal = 0.0
        for line in chargeable:
            if rules[line.id]["due_date"] >= day:
                continue
            principal += max(self._get_due_at(line, self._get_due_changes(line), day), 0.0)
        return company.currency_id.round(principal)

    def _get_charges(self):
        """The charges of this step, computed once: a list of dicts with
        ``type``, ``amount`` (company currency, rounded), ``label`` (in the
        context's language), the charged ``move`` and ``line``, the interest
        period ``date_from``/``date_to`` and, for collection costs, the
        ``notice`` step. Zero amounts are left out.

        Businesses and consumers (the customer's ``followup_debtor_type``):
        the statutory rate and the compensation apply to businesses only; a
        consumer is charged interest at the company's consumer rate (none at
        0), in either regime, no compensation, and the collection costs after
        a 14-day notice (see _get_collection_costs_charges).

        Computes without writing: ``step.new({...})._get_charges()`` tells
        what a step would charge (the preview, the statements screen)."""
        self.ensure_one()
        level = self.level_id
        company = self.company_id
        currency = company.currency_id
        consumer = self._is_consumer()
        Line = self.env["account.move.line"]
        overdue = []  # (item, due date, changes of what is due)
        chargeable = self._followup_chargeable_lines()
        rules = self.env["account.followup"]._get_item_rules(company, chargeable.ids)
        for line in chargeable:
            due_date = rules[line.id]["due_date"]
            if due_date >= self.date:
                continue
            changes = self._get_due_changes(line)
            if self._get_due_at(line, changes, self.date) <= 0:
                continue
            overdue.append((line, due_date, changes))
        charges = []
        if overdue and level.charge_fee:
            charges.append(
                {
                    "type": CHARGE_FEE,
                    "amount": currency.round(level.fee_amount),
                    "label": _("Reminder fee: %s", level.name),
                }
            )
        lines = Line.browse([line.id for line, _due_date, _changes in overdue])
        interest_until = dict(
            Line._read_group(
                [("followup_charged_line_id", "in", lines.ids), ("followup_charge_type", "=", CHARGE_INTEREST)],
                ["followup_charged_line_id"],
                ["followup_interest_date_to:max"],
            )
        )
        compensated = {
            move
            for (move,) in Line._read_group(
                [
                    ("followup_charged_move_id", "in", lines.move_id.ids),
                    ("followup_charge_type", "=", CHARGE_COMPENSATION),
                ],
                ["followup_charged_move_id"],
            )
        }
        statutory = company.followup_interest_type == "statutory" and not consumer
        # read once for all the items of the step
        reference_rates = (
            self.env["account.followup.reference.rate"]._get_rates()
            if statutory and level.charge_interest and overdue
            else None
        )
        for line, due_date, changes in overdue:
            move = line.move_id
            if level.charge_interest:
                date_from = max(due_date, interest_until.get(line) or due_date)
                periods = company._get_followup_interest_periods(
                    date_from, self.date, consumer=consumer, reference_rates=reference_rates
                )
                if periods:
                    amount = self._compute_interest(line.balance, changes, periods)
                    charges.append(
                        {
                            "type": CHARGE_INTEREST,
                            "amount": currency.round(amount),
                            "label": self._get_interest_label(line, date_from, periods, statutory=statutory),
                            "move": move,
                            "line": line,
                            "date_from": date_from,
                            "date_to": self.date,
                        }
                    )
            # The compensation of Directive 2011/7/EU is owed by businesses only.
            if level.charge_compensation and not consumer and move not in compensated:
                compensated.add(move)
                charges.append(
                    {
                        "type": CHARGE_COMPENSATION,
                        "amount": currency.round(company.followup_compensation_amount),
                        "label": _("Compensation for recovery costs: %s", move.name),
                        "move": move,
                        "line": line,
                    }
                )
        if level.charge_consumer_costs and consumer:
            charges += self._get_collection_costs_charges()
        return [charge for charge in charges if not currency.is_zero(charge["amount"])]

    def _is_consumer(self):
        """Whether the step's customer is a consumer (its commercial entity's
        debtor type): no statutory rate, no compensation, the 14-day notice."""
        self.ensure_one()
        return self.partner_id.commercial_partner_id.followup_debtor_type == "consumer"

    def _get_collection_costs_charges(self):
        """The collection costs (BIK scale) a consumer owes on this step's date:
        one charge per 14-day notice of an earlier step of the customer that
        reached them at least 14 full days before (the 14 days count from the
        day after it reached them: costs from the 15th day on) and was not
        charged yet, on the principal of the items it named that are still
        unpaid (an item named by two notices is charged once), never more
        than the notice stated. A notice that was not delivered has no date
        and allows nothing."""
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        partner = self.partner_id.commercial_partner_id
        notices = self.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("notice_amount", ">", 0),
                ("notice_date", "!=", False),
                ("notice_date", "<", self.date - timedelta(days=NOTICE_DAYS)),
            ],
            order="date, id",
        ).filtered(lambda notice: notice.id != self.id)
        if not notices:
            return []
        Line = self.env["account.move.line"]
        charged_lines = Line.search(
            [
                ("followup_notice_step_id", "in", notices.ids),
                ("followup_charge_type", "=", CHARGE_COLLECTION_COSTS),
            ]
        )
        charged = charged_lines.followup_notice_step_id
        covered = set(charged.move_line_ids.ids)
        charges = []
        for notice in notices - charged:
            items = self._get_chargeable_lines(company, notice.move_line_ids).filtered(
                lambda line: line.id not in covered
            )
            principal = sum(max(self._get_due_at(line, self._get_due_changes(line), self.date), 0.0) for line in items)
            if currency.is_zero(principal):
                continue
            covered.update(items.ids)
            amount = min(bik_collection_costs(currency.round(principal)), notice.notice_amount)
            charges.append(
                {
                    "type": CHARGE_COLLECTION_COSTS,
                    "amount": currency.round(amount),
                    "label": _(
                        "Collection costs after the 14-day notice of %(date)s (%(invoices)s): %(amount)s on a "
                        "principal of %(principal)s",
                        date=format_date(self.env, notice.date),
                        invoices=", ".join(items.move_id.mapped("name")),
                        amount=formatLang(self.env, amount, currency_obj=currency),
                        principal=formatLang(self.env, principal, currency_obj=currency),
                    ),
                    "notice": notice,
                }
            )
        return charges

    @api.model
    def _get_charges_summary(self, partner, level, day, lines):
        """What a step of ``level`` for ``partner`` on ``day`` concerning
        ``lines`` would charge, and why, in one sentence for the preview and
        the statements screen (empty when the level charges nothing and gives
        no notice): the kind of debtor, the rate and its origin, the
        compensation, the 14-day notice and the collection costs, and the total
        a step would invoice now (computed without writing anything)."""
        company = level.company_id
        partner = partner.commercial_partner_id
        currency = company.currency_id
        consumer = partner.followup_debtor_type == "consumer"
        parts = []
        try:
            if level.charge_fee:
                parts.append(_("reminder fee %s", formatLang(self.env, level.fee_amount, currency_obj=currency)))
            if level.charge_interest:
                if consumer:
                    rate = company.followup_consumer_interest_rate
                    parts.append(
                        _("interest at %s%% (the consumer rate)", formatLang(self.env, rate, digits=2))
                        if rate > 0
                        else _("no interest (consumer rate 0)")
                    )
                elif company.followup_interest_type == "statutory":
                    rates = self.env["account.followup.reference.rate"]._get_rates()
                    rate = company._get_followup_statutory_rate(day, rates)
                    parts.append(_("interest at %s%% (statutory, business)", formatLang(self.env, rate, digits=2)))
                else:
                    parts.append(
                        _(
                            "interest at %s%% (the company's fixed rate)",
                            formatLang(self.env, company.followup_interest_rate, digits=2),
                        )
                    )
            if level.charge_compensation:
                parts.append(
                    _("no compensation (consumer)")
                    if consumer
                    else _(
                        "compensation %s per invoice",
                        formatLang(self.env, company.followup_compensation_amount, currency_obj=currency),
                    )
                )
            if consumer and level.consumer_notice:
                costs = bik_collection_costs(self._get_notice_principal(company, lines, day))
                parts.append(
                    _(
                        "14-day notice of collection costs of %s",
                        formatLang(self.env, costs, currency_obj=currency),
                    )
                )
            if consumer and level.charge_consumer_costs:
                parts.append(_("collection costs once a 14-day notice is 14 days old"))
            if not parts:
                return ""
            step = self.env["account.followup.step"].new(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "level_id": level.id,
                    "date": day,
                    "move_line_ids": [Command.set(lines.ids)],
                }
            )
            exempt = partner.with_company(company).followup_charges_exempt
            total = 0.0 if exempt else sum(charge["amount"] for charge in step._get_charges())
        except UserError as error:
            # e.g. no reference rate known for the half-year: the step would fail the same way
            return error.args[0]
        return _(
            "%(debtor)s: %(charges)s. To be charged now: %(total)s",
            debtor=_("Consumer") if consumer else _("Business"),
            charges="; ".join(parts),
            total=_("nothing, exempt from charges") if exempt else formatLang(self.env, total, currency_obj=currency),
        )

    @api.model
    def _get_due_changes(self, line):
        """[(date, change)] of what is still due on ``line`` (a receivable debit),
        in the company's currency: its payments and credit notes, on the date of
        their reconciliation. Counted in the item's own currency and converted at
        the item's rate, so that an invoice in another currency is charged on
        its residual in the company's currency (``amount_residual``) and the
        exchange differences of its payments change nothing."""
        rate = line.balance / line.amount_currency if line.amount_currency else 1.0
        changes = [(partial.max_date, -partial.debit_amount_currency * rate) for partial in line.matched_credit_ids]
        changes += [(partial.max_date, partial.credit_amount_currency * rate) for partial in line.matched_debit_ids]
        return sorted(changes, key=lambda change: change[0])

    @api.model
    def _get_due_at(self, line, changes, day):
        """What is still due on ``line`` at the end of ``day``."""
        return line.balance + sum(amount for change_date, amount in changes if change_date <= day)

    @api.model
    def _compute_interest(self, balance, changes, periods):
        """Interest (not rounded) on an item of ``balance`` with these
        ``changes``: simple interest over ``periods`` (the company's, see
        res.company._get_followup_interest_periods), each day on what is due
        at its end (a payment reduces the base from its day on)."""
        return simple_interest(balance, changes, periods)

    def _get_interest_label(self, line, date_from, periods, statutory=False):
        """The interest line's label, which tells the customer how it was
        computed: the days and the rate; for the statutory rate, which changes
        each half-year, each period with its own rate and days."""
        self.ensure_one()
        if statutory:
            # one sentence per period, each translated with the customer's language
            texts = []
            for first, last, rate, _year_days in periods:
                texts.append(
                    _(
                        "%(days)s days at %(rate)s%% from %(date_from)s to %(date_to)s",
                        days=(last - first).days + 1,
                        rate=formatLang(self.env, rate, digits=2),
                        date_from=format_date(self.env, first),
                        date_to=format_date(self.env, last),
                    )
                )
            return _(
                "Late-payment interest on %(invoice)s at the statutory rate a year: %(periods)s",
                invoice=line.move_id.name,
                periods=", ".join(texts),
            )
        return _(
            "Late-payment interest on %(invoice)s: %(days)s days at %(rate)s%% a year, from %(date_from)s to "
            "%(date_to)s",
            invoice=line.move_id.name,
            days=(self.date - date_from).days,
            rate=formatLang(self.env, periods[0][2], digits=2),
            date_from=format_date(self.env, date_from),
            date_to=format_date(self.env, self.date),
        )

    def _prepare_charges_invoice_vals(self, charges):
        """Values of the charges invoice: one line per charge, with the
        company's product of that kind of charge and its taxes (none by
        default), in the company's currency."""
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id.commercial_partner_id
        fiscal_position = self.env["account.fiscal.position"].with_company(company)._get_fiscal_position(partner)
        lines = []
        for charge in charges:
            product = company._get_followup_charge_product(charge["type"])
            taxes = self._get_charge_taxes(charge["type"], product)
            if fiscal_position:
                taxes = fiscal_position.map_tax(taxes)
            move, line, notice = charge.get("move"), charge.get("line"), charge.get("notice")
            lines.append(
                Command.create(
                    {
                        "product_id": product.id,
                        "name": charge["label"],
                        "quantity": 1.0,
                        "price_unit": charge["amount"],
                        "tax_ids": [Command.set(taxes.ids)],
                        "followup_charge_type": charge["type"],
                        "followup_charged_move_id": move.id if move else False,
                        "followup_charged_line_id": line.id if line else False,
                        "followup_notice_step_id": notice.id if notice else False,
                        "followup_interest_date_from": charge.get("date_from", False),
                        "followup_interest_date_to": charge.get("date_to", False),
                    }
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "fiscal_position_id": fiscal_position.id,
            "currency_id": company.currency_id.id,
            "invoice_date": self.date,
            "ref": _("Late payment charges"),
            "invoice_origin": self.level_id.name,
            "followup_step_id": self.id,
            "invoice_line_ids": lines,
        }

    def _get_charge_taxes(self, charge_type, product):
        """The taxes of a charge line: its product's; for the collection costs,
        VAT only when the company says it cannot deduct VAT (the product's
        sales taxes, else the company's default sales tax), else none."""
        company = self.company_id
        taxes = product.taxes_id._filter_taxes_by_company(company)
        if charge_type == CHARGE_COLLECTION_COSTS:
            if not company.followup_collection_costs_vat:
                return taxes.browse()
            return taxes or company.account_sale_tax_id
        return taxes

    def _get_charges_note(self):
        """What the charges of this step are, for the follow-up's log in the
        customer's chatter (empty when there are none)."""
        self.ensure_one()
        move = self.charge_move_id
        if not move:
            return ""
        return _(
            "late-payment charges %(invoice)s: %(amount)s",
            invoice=move.name if move.state == "posted" else _("(draft to review)"),
            amount=formatLang(self.env, move.amount_total, currency_obj=move.currency_id),
        )
