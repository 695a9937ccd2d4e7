from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AccountFollowupLevel(models.Model):
    """One step of a company's follow-up plan: when (days from the due date)
    and what (e-mail, letter, SMS, a manual action for a person)."""

    _name = "account.followup.level"
    _description = "Payment Follow-up Level"
    _order = "company_id, delay, id"
    _check_company_auto = True
    # Archived levels count too: reactivating one must not create a clash. A
    # database constraint, not a Python check: two users saving at the same
    # moment cannot both get through.
    _sql_constraints = [
        (
            "delay_company_uniq",
            "unique(company_id, delay)",
            "A company cannot have two follow-up levels with the same number of days.",
        ),
    ]

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
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
        domain="[('model', '=', 'res.partner')]",
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
        help="Who does the manual action. Empty: the customer's follow-up "
        "responsible, else its salesperson, else the company's default.",
    )

    @api.constrains("send_email", "mail_template_id")
    def _check_mail_template(self):
        for level in self:
            if level.send_email and not level.mail_template_id:
                raise ValidationError(
                    _("The follow-up level “%s” sends an e-mail: choose its e-mail template.", level.name)
                )

    @api.constrains("send_sms", "sms_template_id")
    def _check_sms_template(self):
        for level in self:
            if level.send_sms and not level.sms_template_id:
                raise ValidationError(_("The follow-up level “%s” sends an SMS: choose its SMS template.", level.name))

    @api.constrains("manual_action", "manual_action_note")
    def _check_manual_action(self):
        for level in self:
            if level.manual_action and not level.manual_action_note:
                raise ValidationError(
                    _("The follow-up level “%s” has a manual action: say what is to be done.", level.name)
                )

    @api.constrains("name", "delay", "send_email", "send_letter", "send_sms", "manual_action")
    def _check_has_action(self):
        for level in self:
            if not (level.send_email or level.send_letter or level.send_sms or level.manual_action):
                raise ValidationError(
                    _(
                        "The follow-up level “%s” does nothing: choose at least one action "
                        "(e-mail, letter, SMS or manual action).",
                        level.name,
                    )
                )
