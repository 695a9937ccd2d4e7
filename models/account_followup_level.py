from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# A level is due at most ten years before or after the due date: beyond that a
# date computed from it leaves the calendar (a crash of every run and search).
MAX_DELAY_DAYS = 3650


class AccountFollowupLevel(models.Model):
    """One step of a company's follow-up plan: when (days from the due date)
    and what (e-mail, letter, SMS, a manual action for a person)."""

    _name = "account.followup.level"
    _description = "Payment Follow-up Level"
    _order = "company_id, plan_id, delay, id"
    _check_company_auto = True
    # Archived levels count too: reactivating one must not create a clash. A
    # database constraint, not a Python check: two users saving at the same
    # moment cannot both get through.
    _sql_constraints = [
        (
            "delay_plan_uniq",
            "unique(plan_id, delay)",
            "A follow-up plan cannot have two levels with the same number of days.",
        ),
        (
            "fee_amount_positive",
            "CHECK(fee_amount >= 0)",
            "The reminder fee of a follow-up level cannot be negative.",
        ),
    ]

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    plan_id = fields.Many2one(
        "account.followup.plan",
        required=True,
        index=True,
        # A plan goes with its levels: delete (or archive) them first, the
        # history keeps the levels it names.
        ondelete="restrict",
        check_company=True,
        default=lambda self: self._default_plan_id(),
        help="The plan of the customers this level chases.",
    )
    name = fields.Char(required=True, translate=True)
    delay = fields.Integer(
        string="Days",
        required=True,
        help="Days relative to the due date when this level becomes due: "
        "negative before the due date, positive after it.",
    )
    note = fields.Text(
        translate=True,
        help="Printed on the letter and offered in the e-mail.",
    )
    active = fields.Boolean(default=True)
    auto_execute = fields.Boolean(
        string="Automatic",
        help="Executed by the daily scheduled action. Otherwise the level is "
        "proposed to a person on the Customer statements screen.",
    )
    send_email = fields.Boolean(string="Send an E-mail")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'res.partner'), ('followup_company_id', 'in', (False, company_id))]",
        ondelete="restrict",
    )
    join_invoices = fields.Boolean(
        string="Attach Invoices",
        help="Attach the PDF of the overdue invoices to the e-mail.",
    )
    send_letter = fields.Boolean(string="Send a Letter")
    send_sms = fields.Boolean(string="Send an SMS")
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', '=', 'res.partner')]",
        ondelete="restrict",
    )
    manual_action = fields.Boolean(
        help="A person has to do something: call the customer, send a formal notice...",
    )
    manual_action_note = fields.Text(string="Action To Do", translate=True)
    manual_action_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity Type",
        default=lambda self: self.env.ref(
            "account_payment_followup.mail_activity_type_followup", raise_if_not_found=False
        ),
    )
    manual_action_responsible_id = fields.Many2one(
        "res.users",
        string="Assign To",
        check_company=True,
        help="Who does the manual action. Empty: the customer's follow-up "
        "responsible, else its salesperson, else the company's default.",
    )
    # Late-payment charges (EU Directive 2011/7/EU), invoiced once per step:
    # see account.followup.step._create_charges_invoice.
    currency_id = fields.Many2one(related="company_id.currency_id")
    charge_fee = fields.Boolean(
        string="Charge a Reminder Fee",
        help="Invoice a flat fee each time this level is executed for a customer "
        "with overdue invoices that can be charged.",
    )
    fee_amount = fields.Monetary(
        string="Fee",
        help="The flat reminder fee, in the company's currency.",
    )
    charge_interest = fields.Boolean(
        string="Charge Late-payment Interest",
        help="Invoice the statutory interest on each overdue invoice, from its due date "
        "(or the end of the interest already charged) to the day the level is executed, "
        "at the annual rate of the company's settings.",
    )
    charge_compensation = fields.Boolean(
        string="Charge the Recovery Compensation",
        help="Invoice the fixed compensation for recovery costs (40 EUR in the EU) "
        "once per overdue invoice in its life, whatever the level that charges it.",
    )

    consumer_notice = fields.Boolean(
        string="14-day Notice to Consumers",
        help="For a consumer, the e-mail and the letter of this level carry the 14-day notice of the Dutch "
        "law (art. 6:96 BW): the amount of the collection costs (BIK scale, on the overdue invoices the "
        "reminder names) and 14 days, counting from the day after the customer received it, to pay "
        "without them. Businesses receive no notice.",
    )
    charge_consumer_costs = fields.Boolean(
        string="Charge the Collection Costs to Consumers",
        help="Invoice the collection costs (BIK scale) to a consumer when a 14-day notice reached them "
        "at least 14 full days before (an e-mail on the day it was sent, a letter two days after it "
        "was printed or posted) and the invoices it named are still unpaid; once per notice. Never to "
        "a business.",
    )

    def _default_plan_id(self):
        return self.env.company.followup_default_plan_id

    @api.model_create_multi
    def create(self, vals_list):
        # A level created without a plan (as before plans existed) goes to its
        # company's default plan; its company is its plan's.
        Plan = self.env["account.followup.plan"]
        for vals in vals_list:
            plan = Plan.browse(vals.get("plan_id") or self.env.context.get("default_plan_id"))
            if not plan:
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                plan = company._get_followup_default_plan()
                vals["plan_id"] = plan.id
            vals.setdefault("company_id", plan.company_id.id)
        return super().create(vals_list)

    @api.constrains("delay")
    def _check_delay(self):
        for level in self:
            if abs(level.delay) > MAX_DELAY_DAYS:
                raise ValidationError(
                    _(
                        "The follow-up level “%(level)s” is due %(days)s days from the due date: a level is "
                        "due at most %(max)s days before or after it.",
                        level=level.name,
                        days=level.delay,
                        max=MAX_DELAY_DAYS,
                    )
                )

    @api.constrains("mail_template_id", "company_id")
    def _check_mail_template(self):
        for level in self:
            # mail.template has no company_id in 17.0 (check_company cannot
            # apply): a company's own reminder templates stay its own.
            template_company = level.mail_template_id.sudo().followup_company_id
            if template_company and template_company != level.company_id:
                raise ValidationError(
                    _(
                        "The e-mail template “%(template)s” belongs to %(company)s: the follow-up level “%(level)s” "
                        "of %(level_company)s cannot use it.",
                        template=level.mail_template_id.sudo().name,
                        company=template_company.name,
                        level=level.name,
                        level_company=level.company_id.name,
                    )
                )

    @api.constrains("charge_fee", "fee_amount")
    def _check_fee_amount(self):
        for level in self:
            if level.charge_fee and level.fee_amount <= 0:
                raise ValidationError(
                    _("The follow-up level “%s” charges a reminder fee: enter its amount.", level.name)
                )

    @api.constrains("charge_interest", "company_id")
    def _check_interest_rate(self):
        """A fixed regime needs its rate; the statutory regime has its own
        (the reference rates plus the margin)."""
        for level in self:
            company = level.company_id
            if (
                level.charge_interest
                and company.followup_interest_type == "fixed"
                and company.followup_interest_rate <= 0
            ):
                raise ValidationError(
                    _(
                        "The follow-up level “%(level)s” charges late-payment interest: first set the "
                        "interest rate of %(company)s in the settings.",
                        level=level.name,
                        company=level.company_id.name,
                    )
                )

    def _get_channel_fields(self):
        """The fields of the level that ask for a channel, and their templates
        (the channel table, followup/channels/)."""
        return [name for channel in self.env["account.followup"]._get_channels() for name in channel.get_level_fields()]

    @api.constrains(lambda self: ["name", "delay", *self._get_channel_fields()])
    def _check_channels(self):
        """A level asks for at least one channel, each with what it needs (its template)."""
        channels = self.env["account.followup"]._get_channels()
        for level in self:
            if not any(channel.is_enabled(level) for channel in channels):
                raise ValidationError(
                    _(
                        "The follow-up level “%(level)s” does nothing: choose at least one action (%(actions)s).",
                        level=level.name,
                        actions=self.env["account.followup.step.channel"]._join_channel_labels(channels),
                    )
                )
            for channel in channels:
                error = channel.get_template_error(level)
                if error:
                    raise ValidationError(error)
