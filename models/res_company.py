from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from ..followup.interest import (
    days_in_year,
    half_year_start,
    rate_in_force,
    round_up_to_half_point,
    split_by_half_year,
    split_by_year,
)

# The module's e-mail templates of the default plan: each company gets its own
# copies of them (see _copy_followup_mail_template).
DEFAULT_MAIL_TEMPLATES = (
    "mail_template_followup_reminder",
    "mail_template_followup_first",
    "mail_template_followup_second",
    "mail_template_followup_formal_notice",
)

# Statutory interest between businesses (Directive 2011/7/EU, article 2(6)):
# the reference rate plus at least 8 points; Germany (BGB § 288(2)) 9, France
# (Code de commerce, L. 441-10) 10. Germany's 9 points are over its own
# reference, the Basiszinssatz (§ 247 BGB), which has been the ECB's rate minus
# 0.88 since 2009: a German company that wants the law's figure to the cent over
# the ECB's rate sets its margin to 8.12 (README, "Statutory interest"). Belgium (law of 2 August 2002, article 5)
# rounds the result up to the next half point.
DEFAULT_STATUTORY_MARGIN = 8.0
STATUTORY_MARGINS = {"DE": 9.0, "FR": 10.0}
STATUTORY_ROUND_UP_COUNTRIES = ("BE",)


class ResCompany(models.Model):
    _inherit = "res.company"

    payment_followup_enabled = fields.Boolean(
        string="Payment Follow-ups",
        help="Enable payment follow-up management: the daily scheduled action "
        "executes this company's automated follow-up levels.",
    )
    followup_level_ids = fields.One2many("account.followup.level", "company_id", string="Follow-up Levels")
    followup_default_plan_id = fields.Many2one(
        "account.followup.plan",
        string="Default Follow-up Plan",
        check_company=True,
        help="The follow-up plan of the customers no other plan matches.",
    )
    followup_default_responsible_id = fields.Many2one(
        "res.users",
        string="Default Follow-up Responsible",
        help="Receives the follow-up activities of customers that have neither a "
        "follow-up responsible nor a salesperson.",
    )

    followup_test_email = fields.Char(
        string="Follow-up Test Address",
        help="Test mode: when set, every automated follow-up e-mail goes to this " "address instead of the customers.",
    )
    followup_max_emails = fields.Integer(
        string="Follow-up E-mails per Run",
        default=500,
        help="Safety valve: the scheduled action stops sending and warns the "
        "default responsible when a run would send more e-mails than this.",
    )
    followup_promise_max_days = fields.Integer(
        string="Promise to Pay: Maximum Days",
        default=30,
        help="A customer may promise to pay at most this many days ahead (0: no limit). "
        "A person recording a promise is not limited.",
    )
    followup_reply_pause_days = fields.Integer(
        string="Pause after a Reply (days)",
        default=7,
        help="When a customer answers a payment reminder, its automated reminders "
        "pause for this many days and the responsible is told.",
    )

    # Late-payment charges: what the levels that charge use (see account.followup.level).
    followup_interest_rate = fields.Float(
        string="Late-payment Interest Rate",
        digits=(16, 4),
        help="Fixed regime: the annual rate, in percent, of the interest charged on overdue "
        "invoices, whatever the half-year. Interest is counted per day: a day of a leap "
        "year is 1/366 of a year, any other day 1/365.",
    )
    followup_interest_type = fields.Selection(
        selection=[("fixed", "Fixed rate"), ("statutory", "Statutory rate (EU)")],
        string="Late-payment Interest Regime",
        required=True,
        default="fixed",
        help="Fixed: the rate entered here, every half-year. Statutory (Directive 2011/7/EU, "
        "between businesses): the reference rate in force on 1 January for the first half-year "
        "and on 1 July for the second (the ECB's main refinancing rate, see the reference "
        "rates) plus the statutory margin, each day at the rate of its half-year, a day being "
        "1/365 of a year.",
    )
    followup_statutory_margin = fields.Float(
        string="Statutory Margin",
        digits=(16, 4),
        compute="_compute_followup_statutory_margin",
        store=True,
        readonly=False,
        help="Percentage points added to the reference rate in the statutory regime: at least 8 "
        "(Directive 2011/7/EU); 9 in Germany (over the Bundesbank's base rate, which is the ECB's rate "
        "minus 0.88: 8.12 over the ECB's rate), 10 in France. Set from the company's country.",
    )
    followup_statutory_round_up = fields.Boolean(
        string="Round Up to the Half Point",
        compute="_compute_followup_statutory_round_up",
        store=True,
        readonly=False,
        help="Round the statutory rate up to the next half point, as the Belgian law of "
        "2 August 2002 does (11.15% becomes 11.50%). Set from the company's country.",
    )
    followup_consumer_interest_rate = fields.Float(
        string="Consumer Interest Rate",
        digits=(16, 4),
        help="Annual rate, in percent, of the interest charged to consumers, who owe neither "
        "the commercial rate nor the compensation: at most the legal interest rate of your "
        "country. 0: no interest for consumers.",
    )
    followup_collection_costs_vat = fields.Boolean(
        string="VAT on Collection Costs",
        help="Add VAT to the collection costs charged to consumers (Dutch BIK scale): only "
        "when the company cannot deduct VAT.",
    )
    followup_compensation_amount = fields.Monetary(
        string="Recovery Compensation",
        default=40.0,
        help="Fixed compensation for recovery costs charged once per overdue invoice "
        "(at least 40 EUR per invoice in the EU, Directive 2011/7/EU, article 6), in the "
        "company's currency.",
    )
    followup_fee_product_id = fields.Many2one(
        "product.product",
        string="Reminder Fee Product",
        default=lambda self: self.env.ref("account_payment_followup.product_followup_fee", raise_if_not_found=False),
        help="Product of the reminder fee lines of the charges invoices (its income account and taxes).",
    )
    followup_interest_product_id = fields.Many2one(
        "product.product",
        string="Interest Product",
        default=lambda self: self.env.ref(
            "account_payment_followup.product_followup_interest", raise_if_not_found=False
        ),
        help="Product of the late-payment interest lines of the charges invoices.",
    )
    followup_compensation_product_id = fields.Many2one(
        "product.product",
        string="Compensation Product",
        default=lambda self: self.env.ref(
            "account_payment_followup.product_followup_compensation", raise_if_not_found=False
        ),
        help="Product of the recovery compensation lines of the charges invoices.",
    )
    followup_collection_costs_product_id = fields.Many2one(
        "product.product",
        string="Collection Costs Product",
        default=lambda self: self.env.ref(
            "account_payment_followup.product_followup_collection_costs", raise_if_not_found=False
        ),
        help="Product of the collection costs lines (consumers, after a 14-day notice) of the charges "
        "invoices. Their VAT follows the setting VAT on Collection Costs, not the product.",
    )
    followup_charges_auto_post = fields.Boolean(
        string="Post Charges Invoices at Once",
        default=True,
        help="Post the late-payment charges invoices as soon as a level creates them, so "
        "that they appear on the next reminder. Otherwise they wait in draft for review.",
    )

    _sql_constraints = [
        (
            "followup_interest_rate_positive",
            "CHECK(followup_interest_rate >= 0)",
            "The late-payment interest rate cannot be negative.",
        ),
        (
            "followup_consumer_interest_rate_positive",
            "CHECK(followup_consumer_interest_rate >= 0)",
            "The consumer interest rate cannot be negative.",
        ),
        (
            "followup_compensation_amount_positive",
            "CHECK(followup_compensation_amount >= 0)",
            "The recovery compensation cannot be negative.",
        ),
    ]

    @api.constrains("followup_statutory_margin")
    def _check_followup_statutory_margin(self):
        for company in self:
            if company.followup_statutory_margin < 0:
                raise ValidationError(
                    _(
                        "The statutory margin cannot be negative (%(margin)s points for %(company)s): the law "
                        "adds at least 8 points to the reference rate.",
                        margin=company.followup_statutory_margin,
                        company=company.name,
                    )
                )

    @api.depends("country_id")
    def _compute_followup_statutory_margin(self):
        for company in self:
            company.followup_statutory_margin = STATUTORY_MARGINS.get(company.country_id.code, DEFAULT_STATUTORY_MARGIN)

    @api.depends("country_id")
    def _compute_followup_statutory_round_up(self):
        for company in self:
            company.followup_statutory_round_up = company.country_id.code in STATUTORY_ROUND_UP_COUNTRIES

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._create_default_followup_levels()
        return companies

    def write(self, vals):
        res = super().write(vals)
        if "payment_followup_enabled" in vals:
            # The follow-up menus depend on it (see ir.ui.menu), and menus are cached.
            self.env.registry.clear_cache()
        return res

    def _prepare_default_followup_levels_vals(self):
        """The default plan (see the product specification), as values for one company."""
        self.ensure_one()
        ref = self.env.ref

        def template(xmlid):
            return ref(f"account_payment_followup.{xmlid}").id

        activity_type = ref("account_payment_followup.mail_activity_type_followup").id
        return [
            {
                "name": _("Reminder before the due date"),
                "delay": -3,
                "auto_execute": True,
                "send_email": True,
                "mail_template_id": template("mail_template_followup_reminder"),
                "note": _(
                    "This is a friendly reminder that the invoices below will soon be due. "
                    "If you have already paid them, please ignore this message."
                ),
            },
            {
                "name": _("First reminder"),
                "delay": 1,
                "auto_execute": True,
                "send_email": True,
                "send_letter": True,
                "mail_template_id": template("mail_template_followup_first"),
                "note": _(
                    "Our records show that the invoices below are past due. "
                    "If you have already paid them, please ignore this reminder; otherwise "
                    "please pay the amount due at your earliest convenience."
                ),
            },
            {
                "name": _("Call the customer"),
                "delay": 15,
                "manual_action": True,
                "manual_action_type_id": activity_type,
                "manual_action_note": _("Call the customer about the overdue invoices."),
                "note": _("The invoices below are now 15 days past due."),
            },
            {
                "name": _("Second reminder"),
                "delay": 35,
                "send_email": True,
                "send_letter": True,
                "manual_action": True,
                "manual_action_type_id": activity_type,
                "mail_template_id": template("mail_template_followup_second"),
                "manual_action_note": _("Call the customer: second reminder sent."),
                "note": _(
                    "Despite our previous reminders, the invoices below are still unpaid. "
                    "Please pay the amount due immediately, or contact us to discuss it."
                ),
            },
            {
                "name": _("Formal notice"),
                "delay": 60,
                "manual_action": True,
                "manual_action_type_id": activity_type,
                "manual_action_note": _("Send a formal notice (bailiff) for the unpaid invoices."),
                # its own template, sent when a person chooses the e-mail
                # (Send & Print): a formal notice never borrows a reminder's.
                "mail_template_id": template("mail_template_followup_formal_notice"),
                "note": _(
                    "Unless the amount below is paid within 8 days, we will start legal "
                    "proceedings to recover it, at your expense."
                ),
            },
        ]

    def _get_followup_default_plan(self):
        """The company's default follow-up plan, created the first time it is
        needed (a company created before plans existed and without levels)."""
        self.ensure_one()
        if not self.followup_default_plan_id:
            # Sudo: the company's bookkeeping, whoever first needs it (a level
            # created by an accountant, the module's installation).
            plan = (
                self.env["account.followup.plan"]
                .sudo()
                .create({"name": _("Default plan"), "company_id": self.id, "sequence": 100})
            )
            self.sudo().followup_default_plan_id = plan
        return self.followup_default_plan_id

    def _create_default_followup_levels(self):
        Level = self.env["account.followup.level"].sudo().with_context(active_test=False)
        for company in self:
            if Level.search_count([("company_id", "=", company.id)]):
                continue
            plan = company._get_followup_default_plan()
            vals_list = [
                dict(vals, company_id=company.id, plan_id=plan.id)
                for vals in company._prepare_default_followup_levels_vals()
            ]
            copies = {}
            for vals in vals_list:
                if vals.get("mail_template_id"):
                    original = self.env["mail.template"].browse(vals["mail_template_id"])
                    if original not in copies:
                        copies[original] = company._copy_followup_mail_template(original)
                    vals["mail_template_id"] = copies[original].id
            levels = Level.create(vals_list)
            company._translate_default_followup_levels(levels)

    def _copy_followup_mail_template(self, original):
        """The company's own copy of one of the module's follow-up templates
        (with its translations): a company changes its reminders without
        changing another's, and the record rule keeps them in it."""
        self.ensure_one()
        # Created with the company's default plan, by whoever creates the
        # company (a settings manager need not be a template editor).
        template = original.sudo().copy({"followup_company_id": self.id})
        # mail.template.copy() names every copy "… (copy)", whatever the default says.
        template.name = _("%(template)s (%(company)s)", template=original.name, company=self.name)
        return template

    def _translate_default_followup_templates(self, langs):
        """Give the companies' copies of the module's templates the module's
        translations of ``langs`` (loaded after the copies were made).
        Templates a user changed (English text no longer the module's) are left
        alone."""
        Template = self.env["mail.template"].sudo().with_context(active_test=False)
        originals = Template.browse(
            self.env.ref(f"account_payment_followup.{xmlid}").id for xmlid in DEFAULT_MAIL_TEMPLATES
        ).with_context(lang="en_US")
        by_text = {(original.subject, original.body_html): original for original in originals}
        for template in Template.search([("followup_company_id", "in", self.ids)]).with_context(lang="en_US"):
            original = by_text.get((template.subject, template.body_html))
            if not original:
                continue
            for lang in langs:
                if lang == "en_US":
                    continue
                translated = original.with_context(lang=lang)
                template.with_context(lang=lang).write(
                    {"subject": translated.subject, "body_html": translated.body_html}
                )

    def _translate_default_followup_levels(self, levels=None, langs=None):
        """Give the default plan's names and notes in every installed language
        (they are created in one). Levels a user changed are left alone."""
        langs = langs or [code for code, _name in self.env["res.lang"].get_installed()]
        if levels is None:
            # a language was installed: the companies' templates get it too
            self._translate_default_followup_templates(langs)
        Level = self.env["account.followup.level"].sudo().with_context(active_test=False)
        fields_to_translate = ("name", "note", "manual_action_note")
        for company in self:
            company_levels = levels or Level.search([("company_id", "=", company.id)])
            source = company.with_context(lang="en_US")
            english = {vals["delay"]: vals for vals in source._prepare_default_followup_levels_vals()}
            for lang in langs:
                translated = {
                    vals["delay"]: vals
                    for vals in company.with_context(lang=lang)._prepare_default_followup_levels_vals()
                }
                for level in company_levels:
                    original = english.get(level.delay)
                    if not original or level.with_context(lang="en_US").name != original["name"]:
                        continue
                    level.with_context(lang=lang).write(
                        {field: translated[level.delay][field] for field in fields_to_translate if field in original}
                    )

    def _get_followup_charge_product(self, charge_type):
        """The product of a kind of charge ("fee", "interest", "compensation",
        "collection_costs"):
        the company's choice, else the module's own (companies that existed
        before the module was installed have none set)."""
        self.ensure_one()
        product = self[f"followup_{charge_type}_product_id"]
        return product or self.env.ref(f"account_payment_followup.product_followup_{charge_type}")

    @api.model
    def _setup_followup_charge_products(self):
        """Give the module's charge products to the companies that existed
        before it was installed (new companies get them by default)."""
        for charge_type in ("fee", "interest", "compensation", "collection_costs"):
            field = f"followup_{charge_type}_product_id"
            product = self.env.ref(f"account_payment_followup.product_followup_{charge_type}")
            self.sudo().with_context(active_test=False).search([(field, "=", False)]).write({field: product.id})

    def _get_followup_interest_periods(self, date_from, date_to, consumer=False, reference_rates=None):
        """The periods of late-payment interest of this company on an item,
        from the day after ``date_from`` through ``date_to``: [(first day, last
        day, annual rate in percent, days in a year)], both days counted (see
        followup/interest.py). Empty when no interest is charged.

        - a consumer: the consumer rate, actual days / 365;
        - fixed regime: the company's rate, a day of a leap year 1/366;
        - statutory regime: per half-year, the reference rate in force on its
          first day plus the margin (rounded up to the half point where the
          law says so), actual days / 365.

        :param reference_rates: [(date, rate)] of the reference rates, oldest
            first (``account.followup.reference.rate._get_rates()``), read once
            by a caller that computes many items; read here when not given.
        """
        self.ensure_one()
        if date_to <= date_from:
            return []
        first = date_from + timedelta(days=1)
        if consumer:
            rate = self.followup_consumer_interest_rate
            return [(first, date_to, rate, 365)] if rate > 0 else []
        if self.followup_interest_type == "statutory":
            if reference_rates is None:
                reference_rates = self.env["account.followup.reference.rate"]._get_rates()
            return [
                (start, end, self._get_followup_statutory_rate(start, reference_rates), 365)
                for start, end in split_by_half_year(first, date_to)
            ]
        rate = self.followup_interest_rate
        if rate <= 0:
            return []
        return [(start, end, rate, days_in_year(start)) for start, end in split_by_year(first, date_to)]

    def _get_followup_statutory_rate(self, day, reference_rates):
        """The statutory rate between businesses of ``day``'s half-year: the
        reference rate in force on 1 January (first half-year) or 1 July
        (second) plus the company's margin, never below zero."""
        self.ensure_one()
        start = half_year_start(day)
        reference = rate_in_force(reference_rates, start)
        if reference is None:
            raise UserError(
                _(
                    "No late-payment reference rate is known on %(date)s, so the statutory interest of "
                    "%(company)s cannot be computed: add the ECB's rate in force on that day to the reference "
                    "rates (Accounting > Configuration).",
                    date=format_date(self.env, start),
                    company=self.name,
                )
            )
        rate = reference + self.followup_statutory_margin
        if self.followup_statutory_round_up:
            rate = round_up_to_half_point(rate)
        return max(rate, 0.0)
