import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..followup.channels import ChannelOptions, ChannelOutcome, LetterChannel
from ..followup.definitions import STATUS_ACTION, STATUS_NONE, STATUS_OVERDUE

_logger = logging.getLogger(__name__)

# The follow-up of a customer: billing users change it, whatever their rights
# on contacts (see write and _followup_write).
FOLLOWUP_BILLING_FIELDS = (
    "followup_reminder_type",
    "followup_planned_date",
    "followup_responsible_id",
    "followup_letter_to_print",
    "followup_paused_until",
    "followup_charges_exempt",
    "followup_plan_id",
)
# What a billing user may change on a customer it can read (see _followup_write):
# the above and Odoo's own trust.
FOLLOWUP_WRITABLE_FIELDS = (*FOLLOWUP_BILLING_FIELDS, "trust", "followup_debtor_type")
# What follow-ups post on a customer (see _message_post_followup).
FOLLOWUP_SUBTYPES = ("mail.mt_note", "account_payment_followup.mt_followup")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The follow-up situation is computed from the open items each time it is
    # read or searched (set-based, see account.followup): it is right at every
    # moment without a nightly recompute. Only what a person decides is stored,
    # per company like Odoo's own `trust`: a customer shared by two companies
    # is followed up by each on its own.
    followup_status = fields.Selection(
        [
            (STATUS_ACTION, "In need of action"),
            (STATUS_OVERDUE, "With overdue invoices"),
            (STATUS_NONE, "No action needed"),
        ],
        string="Follow-up Status",
        compute="_compute_followup_data",
        groups="account.group_account_readonly,account.group_account_invoice",
        search="_search_followup_status",
    )
    followup_level_id = fields.Many2one(
        "account.followup.level",
        string="Follow-up Level",
        compute="_compute_followup_data",
        groups="account.group_account_readonly,account.group_account_invoice",
        search="_search_followup_level_id",
        help="The last level reached by the customer's oldest overdue invoice.",
    )
    followup_next_action_date = fields.Date(
        string="Next Follow-up",
        compute="_compute_followup_data",
        groups="account.group_account_readonly,account.group_account_invoice",
        inverse="_inverse_followup_next_action_date",
        search="_search_followup_next_action_date",
        help="When the next follow-up level becomes due; in manual mode, the date a person planned.",
    )
    followup_reminder_type = fields.Selection(
        [("automatic", "Automatic"), ("manual", "Manual")],
        string="Reminders",
        company_dependent=True,
        help="Automatic: the follow-up plan decides when. Manual: a person planned the next reminder.",
    )
    followup_planned_date = fields.Date(
        string="Planned Reminder",
        company_dependent=True,
        copy=False,
        help="Next reminder date planned by a person (manual mode).",
    )
    followup_responsible_id = fields.Many2one(
        "res.users",
        string="Follow-up Responsible",
        company_dependent=True,
        help="Receives this customer's follow-up activities. Empty: the salesperson.",
    )
    followup_letter_to_print = fields.Boolean(
        company_dependent=True,
        copy=False,
        help="A follow-up letter is waiting to be printed and posted.",
    )
    followup_charges_exempt = fields.Boolean(
        string="No Late-payment Charges",
        company_dependent=True,
        help="Never charge this customer reminder fees, late-payment interest or recovery "
        "compensation (consumers, key accounts...).",
    )
    followup_plan_id = fields.Many2one(
        "account.followup.plan",
        string="Follow-up Plan",
        company_dependent=True,
        groups="account.group_account_readonly,account.group_account_invoice",
        help="The follow-up plan a person chose for this customer in the company. Empty: the first "
        "plan of the company whose filter matches the customer, else the company's default plan.",
    )
    followup_debtor_type = fields.Selection(
        [("business", "Business"), ("consumer", "Consumer")],
        string="Debtor Type",
        compute="_compute_followup_debtor_type",
        store=True,
        readonly=False,
        help="Business: a company, or a contact with a VAT number; else a consumer. Follow-up plans "
        "and late-payment charges can tell them apart; a person can correct it.",
    )
    total_due = fields.Monetary(
        compute="_compute_followup_data",
        currency_field="followup_currency_id",
        groups="account.group_account_readonly,account.group_account_invoice",
    )
    total_overdue = fields.Monetary(
        compute="_compute_followup_data",
        currency_field="followup_currency_id",
        groups="account.group_account_readonly,account.group_account_invoice",
    )
    followup_currency_id = fields.Many2one("res.currency", compute="_compute_followup_currency_id")
    followup_step_ids = fields.One2many(
        "account.followup.step",
        "partner_id",
        string="Follow-up History",
        groups="account.group_account_readonly,account.group_account_invoice",
    )
    followup_step_count = fields.Integer(
        compute="_compute_followup_step_count",
        groups="account.group_account_readonly,account.group_account_invoice",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("is_company", "vat", "commercial_partner_id.is_company", "commercial_partner_id.vat")
    def _compute_followup_debtor_type(self):
        for partner in self:
            commercial = partner.commercial_partner_id or partner
            is_business = commercial.is_company or bool(commercial.vat)
            partner.followup_debtor_type = "business" if is_business else "consumer"

    def _get_followup_summaries(self):
        """Summaries of these partners' commercial entities in the current company."""
        partners = self.commercial_partner_id
        return self.env["account.followup"]._get_partner_summaries(
            self.env.company, partner_ids=partners.ids if self.ids else None
        )

    @api.depends_context("company")
    def _compute_followup_step_count(self):
        counts = dict(
            self.env["account.followup.step"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.followup_step_count = counts.get(partner.commercial_partner_id, 0)

    @api.depends_context("company")
    def _compute_followup_currency_id(self):
        self.followup_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    @api.depends("followup_reminder_type", "followup_planned_date")
    def _compute_followup_data(self):
        real = self.filtered("id")
        summaries = real._get_followup_summaries() if real else {}
        today = fields.Date.context_today(self)
        followup = self.env["account.followup"]
        for partner in self:
            commercial = partner.commercial_partner_id
            summary = followup._apply_reminder_type(
                summaries.get(commercial.id),
                commercial.followup_reminder_type,
                commercial.followup_planned_date,
                today,
            )
            partner.total_due = summary["balance"] if summary else 0.0
            partner.total_overdue = summary["total_overdue"] if summary else 0.0
            partner.followup_level_id = summary["reached"] if summary else False
            partner.followup_status = summary["status"] if summary else STATUS_NONE
            partner.followup_next_action_date = summary["next_date"] if summary else False

    def _inverse_followup_next_action_date(self):
        for partner in self:
            partner._followup_write(
                {
                    "followup_planned_date": partner.followup_next_action_date,
                    "followup_reminder_type": "manual",
                }
            )

    def _get_followup_manual_plans(self):
        """{partner id: planned date} of the customers in manual mode, in the current company."""
        return {
            partner.id: partner.followup_planned_date
            for partner in self.env["res.partner"].search_fetch(
                [("followup_reminder_type", "=", "manual")], ["followup_planned_date"]
            )
        }

    def _search_followup_status(self, operator, value):
        """Customers by follow-up status: a sub-query of the search itself, the
        database classifying every customer (see
        ``account.followup._partner_statuses_sql``)."""
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the follow-up status: %s", operator))
        values = {value} if isinstance(value, str) else set(value or [])
        positive = operator in ("=", "in")
        statuses = self.env["account.followup"]._partner_statuses_sql(self.env.company)
        if STATUS_NONE in values:
            # "no action needed" is everybody but the others (customers without
            # open items have no row).
            others = [status for status in (STATUS_ACTION, STATUS_OVERDUE) if status not in values]
            subquery = SQL("(SELECT partner_id FROM (%s) statuses WHERE status = ANY(%s))", statuses, others)
            return [("id", "not in" if positive else "in", subquery)]
        wanted = [status for status in (STATUS_ACTION, STATUS_OVERDUE) if status in values]
        subquery = SQL("(SELECT partner_id FROM (%s) statuses WHERE status = ANY(%s))", statuses, wanted)
        return [("id", "in" if positive else "not in", subquery)]

    def _search_followup_level_id(self, operator, value):
        """Customers whose oldest chased item reached the given level(s); any
        operator on levels works (ids, names with ilike, False for none)."""
        summaries = self.env["account.followup"]._get_partner_summaries(self.env.company)
        with_level = {pid for pid, summary in summaries.items() if summary["reached"]}
        if value is False or value is None:
            # ("followup_level_id", "=", False): customers who reached no level
            return [("id", "not in" if operator == "=" else "in", list(with_level))]
        levels = self.env["account.followup.level"].search([("id", operator, value)])
        if operator in ("ilike", "like", "=ilike", "=like", "not ilike", "not like"):
            levels = self.env["account.followup.level"].search([("name", operator, value)])
        ids = [pid for pid, summary in summaries.items() if summary["reached"] in levels]
        return [("id", "in", ids)]

    def _search_followup_next_action_date(self, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise UserError(_("Unsupported search on the next follow-up date: %s", operator))
        value = fields.Date.to_date(value)
        ops = {
            "=": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }
        followup = self.env["account.followup"]
        summaries = followup._get_partner_summaries(self.env.company)
        manual = self._get_followup_manual_plans()
        today = fields.Date.context_today(self)
        dates = {}
        for pid in summaries.keys() | manual.keys():
            summary = summaries.get(pid)
            if pid in manual:
                summary = followup._apply_reminder_type(summary, "manual", manual[pid], today)
            dates[pid] = summary["next_date"]
        ids = [pid for pid, date in dates.items() if date and ops[operator](date, value)]
        return [("id", "in", ids)]

    # ------------------------------------------------------------
    # CONSTRAINT METHODS
    # ------------------------------------------------------------

    @api.constrains("followup_plan_id")
    def _check_followup_plan_company(self):
        """A customer's plan in a company is one of that company's plans (the
        value is the current company's: company-dependent)."""
        for partner in self:
            plan = partner.sudo().followup_plan_id
            if plan and plan.company_id != self.env.company:
                raise ValidationError(
                    _(
                        "The follow-up plan “%(plan)s” belongs to %(company)s: it cannot be the plan of "
                        "%(partner)s in %(current)s.",
                        plan=plan.name,
                        company=plan.company_id.name,
                        partner=partner.display_name,
                        current=self.env.company.name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD METHODS
    # ------------------------------------------------------------

    def write(self, vals):
        if set(vals) & set(FOLLOWUP_BILLING_FIELDS) and not self.env.is_superuser():
            # A contact editor who is no billing user does not pause, plan or
            # reassign the follow-up of a customer.
            self._check_followup_access()
            self._check_followup_responsible(vals)
        old_trust = {partner.id: partner.trust for partner in self} if "trust" in vals else {}
        res = super().write(vals)
        if old_trust:
            self._log_followup_trust_change(old_trust)
        return res

    def _log_followup_trust_change(self, old_trust):
        """Who changed the trust of a customer, from what to what, on the customer."""
        labels = dict(self._fields["trust"]._description_selection(self.env))
        for partner in self:
            if partner.trust != old_trust[partner.id]:
                # Posted by the server for a change the user was allowed to make.
                partner.commercial_partner_id.sudo().message_post(
                    body=_(
                        "Trust: %(old)s → %(new)s",
                        old=labels.get(old_trust[partner.id], _("none")),
                        new=labels.get(partner.trust, _("none")),
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    # ------------------------------------------------------------
    # ACTION METHODS
    # ------------------------------------------------------------

    def action_followup_back_to_automatic(self):
        self._followup_write({"followup_reminder_type": "automatic", "followup_planned_date": False})
        for partner in self:
            partner._message_post_followup(body=_("Follow-up reminders are back to automatic: the plan decides when."))
        return True

    def action_followup_open_history(self):
        """The follow-up steps of this customer (smart button)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_payment_followup.account_followup_step_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_partner_id": self.commercial_partner_id.id}
        return action

    def action_followup_open_plan_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Plan the next reminder"),
            "res_model": "res.partner.followup.plan",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    def action_followup_open_note_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Log a note"),
            "res_model": "res.partner.followup.note",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    def action_followup_open_statement(self):
        """The Customer statements screen, on this customer (even when nothing is due)."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "account_payment_followup.customer_statements",
            "name": _("Customer Statements"),
            "params": {"partner_id": self.commercial_partner_id.id},
        }

    def action_followup_print_letter(self):
        """Print the follow-up letters of these customers as one PDF; a letter
        the level was waiting for is recorded as printed, once, when its PDF
        exists (never when printing failed, nor twice for a copy)."""
        partners = self.commercial_partner_id
        attachment = partners._followup_render_letters()
        if self.env.user.has_group("account.group_account_invoice"):
            followup = self.env["account.followup"]
            letter = [channel for channel in followup._get_channels() if channel.code == LetterChannel.code]
            options = ChannelOptions(printed=True, letter=attachment)
            situations = followup._get_situations(self.env.company, partners)
            for situation in situations.values():
                rows = situation.open_step.channel_ids.filtered(lambda c: c.channel == LetterChannel.code)
                waiting = rows.filtered(lambda c: c.state == "to_do")
                due = situation.status == STATUS_ACTION and letter[0].is_enabled(situation.level) and not rows
                if waiting or due:
                    followup._record_step(situation, followup._run_channels(situation, letter, options))
            partners._followup_write({"followup_letter_to_print": False})
        return self._followup_download_action(attachment)

    def _followup_render_letters(self):
        """The follow-up letters of these customers, rendered now as one PDF
        (an attachment the user downloads): the letter exists before anything
        records it as printed. Rendered on the server, so that no dialog
        (Odoo's "configure your document layout" for a company that never
        chose one) stands between the person and the letter."""
        report = self.env.ref("account_payment_followup.action_report_followup_letter")
        content, _type = self.env["ir.actions.report"]._render_qweb_pdf(report, self.ids)
        if len(self) == 1:
            name = _("Payment reminder - %s.pdf", self.name)
        else:
            name = _("Payment reminders - %s.pdf", fields.Date.to_string(fields.Date.context_today(self)))
        # The user's own file (no document: attaching to a customer needs the
        # right to edit it, which billing users do not have).
        return self.env["ir.attachment"].create({"name": name, "raw": content, "mimetype": "application/pdf"})

    @api.model
    def _followup_download_action(self, attachment, close=False):
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "close": close,
        }

    def action_followup_send(self):
        """The Send & Print dialog: e-mail, letter, SMS for these customers,
        texts editable before sending."""
        self.commercial_partner_id._check_followup_access()
        return {
            "type": "ir.actions.act_window",
            "name": _("Send & Print"),
            "res_model": "res.partner.followup.send",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {"default_partner_ids": self.commercial_partner_id.ids},
        }

    def action_followup_done(self):
        """A person did the follow-up proposed for these customers: the level is
        done (what was not done is recorded as such) and its activities close."""
        followup = self.env["account.followup"]
        situations = followup._get_situations(self.env.company, self.commercial_partner_id)
        # The action of a person (the manual action), from the channel table.
        for_person = [channel for channel in followup._get_channels() if channel.for_person]
        person_codes = [channel.code for channel in for_person]
        for situation in situations.values():
            if situation.status != STATUS_ACTION or not situation.level:
                continue
            partner = situation.partner
            outcomes = []
            todo_manual = situation.open_step.channel_ids.filtered(
                lambda c: c.channel in person_codes and c.state == "to_do"
            )
            if any(channel.is_enabled(situation.level) for channel in for_person) or todo_manual:
                outcomes = [
                    (
                        for_person[0],
                        ChannelOutcome(
                            "done",
                            _("“%(action)s” done by %(user)s", action=situation.level.name, user=self.env.user.name),
                        ),
                    )
                ]
            followup._record_step(
                situation, outcomes, close_reason=_("not done: the level was marked done by %s", self.env.user.name)
            )
            if partner.followup_reminder_type == "manual":
                # Done by hand: nothing more is planned until a person plans it.
                partner._followup_write({"followup_planned_date": False})
        return True

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _message_post_followup(self, **kwargs):
        """Post a follow-up note or reminder on this customer.

        Odoo asks write access on a contact to post on it; billing users chase
        customers they may read but not edit. This private method (not callable
        over RPC) posts for them after :meth:`_check_followup_access`, and only
        notes and payment reminders (follow-up subtypes)."""
        self.ensure_one()
        self._check_followup_access()
        # _xmlid_to_res_id is cached per process: env.ref would query the database
        # (exists()) three times for every reminder.
        xmlid_to_res_id = self.env["ir.model.data"]._xmlid_to_res_id
        subtype_id = kwargs.pop("subtype_id", False) or xmlid_to_res_id(kwargs.pop("subtype_xmlid", "mail.mt_note"))
        kwargs.pop("subtype_xmlid", None)
        allowed = [xmlid_to_res_id(xmlid) for xmlid in FOLLOWUP_SUBTYPES]
        if subtype_id not in allowed:
            raise AccessError(_("Only follow-up notes and reminders can be posted this way."))
        return self.sudo().message_post(subtype_id=subtype_id, **kwargs).sudo(False)

    def _followup_write(self, vals):
        """Write follow-up fields (and the trust) for a billing user who may
        read these customers but not edit contacts; nothing else can be
        written this way.

        The one elevation of the follow-up on contacts: Odoo asks write access
        on a contact to change it, which billing users chasing customers often
        lack. Checked first: the user is a billing user, of the company the
        values are written for (company-dependent fields), reading these
        customers; the responsible it assigns works in that company."""
        if set(vals) - set(FOLLOWUP_WRITABLE_FIELDS):
            raise UserError(_("Only follow-up fields can be changed here."))
        self._check_followup_access()
        self._check_followup_responsible(vals)
        # Sudo: the checks above stand for the write access on contacts.
        return self.sudo().write(vals)

    @api.model
    def _check_followup_responsible(self, vals):
        """The follow-up responsible written in ``vals`` is an internal user
        working in the company the value is for."""
        responsible = self.env["res.users"].sudo().browse(vals.get("followup_responsible_id") or [])
        if responsible and (responsible.share or self.env.company not in responsible.company_ids):
            raise UserError(
                _(
                    "%(user)s cannot be responsible for follow-ups in %(company)s: choose an internal user "
                    "of that company.",
                    user=responsible.name,
                    company=self.env.company.name,
                )
            )

    def _check_followup_access(self):
        """Follow-up actions are for billing users of the current company, on
        customers they can read. (The current company is one of the user's:
        Odoo refuses any other outside superuser mode.)"""
        if self.env.su:
            return
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only billing users can change the follow-up of a customer."))
        self.check_access_rights("read")
        self.check_access_rule("read")

    def _get_followup_statement(self, only_overdue=False):
        """Statement values for templates rendered without a situation (a mail
        template edited before this version, the generic mail composer)."""
        self.ensure_one()
        return self.env["account.followup"]._get_statement(self.commercial_partner_id, only_overdue=only_overdue)

    def _get_followup_email_recipients(self):
        """The customer's invoice contacts with an e-mail address, else the customer."""
        self.ensure_one()
        partner = self.commercial_partner_id
        contacts = partner.child_ids.filtered(lambda c: c.type == "invoice" and c.email)
        if not contacts and partner.email:
            contacts = partner
        return contacts

    def _format_followup_phone(self, number, force_format="E164"):
        """``number`` validated and formatted with phonenumbers for the
        customer's country (else the company's), or None when it is not valid."""
        self.ensure_one()
        from odoo.addons.phone_validation.tools import phone_validation

        country = self.commercial_partner_id.country_id or self.env.company.country_id
        try:
            return phone_validation.phone_format(
                number,
                country.code if country else None,
                country.phone_code if country else None,
                force_format=force_format,
                raise_exception=True,
            )
        except UserError:
            return None

    def _get_followup_sms_number(self):
        """The customer's mobile (else phone) in E.164, or None."""
        self.ensure_one()
        partner = self.commercial_partner_id
        for number in (partner.mobile, partner.phone):
            formatted = number and partner._format_followup_phone(number)
            if formatted:
                return formatted
        return None

    def _get_followup_responsible(self, level=None):
        self.ensure_one()
        return (
            (level and level.manual_action_responsible_id)
            or self.followup_responsible_id
            or self.user_id
            or self.env.company.followup_default_responsible_id
            # The administrator (by its cached XML id: no query per customer).
            or self.env["res.users"].browse(self.env["ir.model.data"]._xmlid_to_res_id("base.user_admin"))
        )

    def _has_followup_postal_address(self):
        self.ensure_one()
        return bool((self.street or self.street2) and self.city and self.country_id)

    def action_followup_open_dispute(self):
        """Open a dispute on one of this customer's invoices."""
        self.ensure_one()
        self._check_followup_access()
        return self.env["account.followup.dispute"]._get_open_form_action(partner=self)

    def action_followup_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_payment_followup.account_followup_dispute_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
