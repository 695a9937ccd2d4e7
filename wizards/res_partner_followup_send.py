from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..followup.channels import ChannelOptions
from ..followup.definitions import STATUS_ACTION
from ..models.account_followup_step_channel import (
    CHANNEL_FAILED,
    CHANNEL_QUEUED,
    CHANNEL_SENT,
    CHANNEL_SKIPPED,
    NOTIFICATION_TYPES,
)


class ResPartnerFollowupSend(models.TransientModel):
    """Send & Print, as the invoice's: for one customer or a selection, choose
    e-mail, letter and SMS, see and edit the texts (one customer), send once.
    Each customer's level is recorded in the follow-up history like the
    scheduled action's."""

    _name = "res.partner.followup.send"
    _description = "Send & Print Follow-ups"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    partner_count = fields.Integer(compute="_compute_partner_count")
    level_id = fields.Many2one(
        "account.followup.level",
        compute="_compute_level_id",
        help="The level due for the customer, else the last one it reached.",
    )
    send_email = fields.Boolean(string="E-mail", compute="_compute_channels", store=True, readonly=False)
    send_letter = fields.Boolean(string="Letter", compute="_compute_channels", store=True, readonly=False)
    send_sms = fields.Boolean(string="SMS", compute="_compute_channels", store=True, readonly=False)
    attach_invoices = fields.Boolean(
        string="Attach the invoices", compute="_compute_channels", store=True, readonly=False
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'res.partner')]",
        compute="_compute_mail_template_id",
        store=True,
        readonly=False,
        help="The level's own template; a level without one proposes no e-mail until you pick one.",
    )
    mail_subject = fields.Char(string="Subject", compute="_compute_texts", store=True, readonly=False)
    mail_body = fields.Html(string="E-mail Text", compute="_compute_texts", store=True, readonly=False)
    sms_body = fields.Text(string="SMS Text", compute="_compute_texts", store=True, readonly=False)
    email_recipients = fields.Char(string="To", compute="_compute_warnings")
    warnings = fields.Text(compute="_compute_warnings")

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    def _get_situations(self):
        self.ensure_one()
        return self.env["account.followup"]._get_situations(
            self.env.company, self.partner_ids._origin.commercial_partner_id
        )

    @api.depends("partner_ids")
    def _compute_partner_count(self):
        for wizard in self:
            wizard.partner_count = len(wizard.partner_ids._origin.commercial_partner_id)

    @api.depends("partner_ids")
    def _compute_level_id(self):
        for wizard in self:
            level = self.env["account.followup.level"]
            if wizard.partner_count == 1:
                situation = next(iter(wizard._get_situations().values()))
                level = situation.level or situation.summary.get("reached") or level
            wizard.level_id = level

    @api.depends("level_id", "partner_ids")
    def _compute_channels(self):
        for wizard in self:
            level = wizard.level_id
            if level:
                # no e-mail proposed for a level without a template of its own
                wizard.send_email = bool(level.mail_template_id) and (
                    level.send_email or not (level.send_letter or level.send_sms)
                )
                wizard.send_letter = level.send_letter
                wizard.send_sms = level.send_sms
                wizard.attach_invoices = level.join_invoices
            else:
                wizard.send_email = True
                wizard.send_letter = wizard.send_sms = wizard.attach_invoices = False

    @api.depends("partner_ids", "level_id")
    def _compute_mail_template_id(self):
        for wizard in self:
            template = self.env["mail.template"]
            if wizard.partner_count == 1:
                template = next(iter(wizard._get_situations().values())).mail_template
            wizard.mail_template_id = template

    @api.depends("partner_ids", "level_id", "mail_template_id")
    def _compute_texts(self):
        followup = self.env["account.followup"]
        channels = {channel.code: channel for channel in followup._get_channels()}
        for wizard in self:
            wizard.mail_subject = wizard.mail_body = wizard.sms_body = False
            if wizard.partner_count != 1:
                continue
            situation = next(iter(wizard._get_situations().values()))
            if wizard.mail_template_id:
                wizard._check_mail_template_company()
                wizard.mail_subject, wizard.mail_body = channels["email"].render(situation, wizard.mail_template_id)
            wizard.sms_body = channels["sms"].render(situation)

    def _check_mail_template_company(self):
        """A company's own reminder templates stay its own, as a level's (see
        ``account.followup.level._check_mail_template``): another company's is
        neither rendered (its text shown) nor sent. A template is referenced by
        id, which the record rule on templates does not check."""
        self.ensure_one()
        # Sudo: the template's company is read to refuse it, its text is not.
        template_company = self.mail_template_id.sudo().followup_company_id
        if template_company and template_company != self.env.company:
            raise UserError(
                _(
                    "This e-mail template belongs to another company: choose a template of %(company)s.",
                    company=self.env.company.name,
                )
            )

    @api.depends("partner_ids", "send_email", "send_letter", "send_sms")
    def _compute_warnings(self):
        for wizard in self:
            situations = wizard._get_situations().values() if wizard.partner_ids else []
            warnings = []
            recipients = []
            for situation in situations:
                name = situation.partner.display_name
                if wizard.send_email:
                    if situation.email_recipients:
                        recipients += situation.email_recipients.mapped("email_formatted")
                    else:
                        warnings.append(_("%s has no e-mail address: no e-mail will be sent.", name))
                if wizard.send_letter and not situation.has_postal_address:
                    warnings.append(_("%s has no complete postal address: no letter.", name))
                if wizard.send_sms and not situation.sms_number:
                    warnings.append(_("%s has no valid mobile number: no SMS.", name))
                elif wizard.send_sms and not self._is_mobile_number(situation.sms_number):
                    warnings.append(
                        _(
                            "%(customer)s: %(number)s is not a mobile number: the SMS will probably not arrive.",
                            customer=name,
                            number=situation.partner._format_followup_phone(
                                situation.sms_number, force_format="INTERNATIONAL"
                            )
                            or situation.sms_number,
                        )
                    )
            wizard.email_recipients = ", ".join(recipients)
            wizard.warnings = "\n".join(warnings)

    # ------------------------------------------------------------
    # ACTION METHODS
    # ------------------------------------------------------------

    def action_send(self):
        """Run the chosen channels for each customer and record its step; end
        with what happened (and the letters' PDF to download)."""
        self.ensure_one()
        if not (self.send_email or self.send_letter or self.send_sms):
            raise UserError(_("Choose at least one of e-mail, letter or SMS."))
        followup = self.env["account.followup"]
        chosen = {"email": self.send_email, "letter": self.send_letter, "sms": self.send_sms}
        channels = [channel for channel in followup._get_channels() if chosen.get(channel.code)]
        single = self.partner_count == 1
        situations = self._get_situations().values()
        for situation in situations:
            situation.partner._check_followup_access()
        # The letters are produced first: a letter is recorded as printed only
        # once its PDF exists, and nothing is sent when it cannot be produced.
        to_print = self.env["res.partner"].browse(
            [situation.partner.id for situation in situations if self.send_letter and situation.has_postal_address]
        )
        letters = to_print._followup_render_letters() if to_print else self.env["ir.attachment"]
        options = ChannelOptions(
            subject=self.mail_subject if single else None,
            body=self.mail_body if single else None,
            sms_body=self.sms_body if single else None,
            attach_invoices=self.attach_invoices,
            send_now=single,
            printed=True,
            letter=letters or None,
        )
        counts = {}
        problems = {}
        for situation in situations:
            outcomes = followup._run_channels(situation, channels, options)
            if situation.status == STATUS_ACTION and situation.level:
                followup._record_step(situation, outcomes)
            else:
                followup._log_sending(situation, outcomes)
            for channel, outcome in outcomes:
                if outcome.state in (CHANNEL_SKIPPED, CHANNEL_FAILED):
                    problems.setdefault((outcome.state, outcome.reason), []).append(situation.partner.display_name)
                else:
                    key = (channel.code, self._get_delivery_state(channel, outcome))
                    counts[key] = counts.get(key, 0) + 1
        if to_print:
            to_print._followup_write({"followup_letter_to_print": False})
        notification = {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Send & Print"),
                "message": self._format_summary(counts, problems),
                "type": "warning" if problems else "success",
                "sticky": bool(problems),
                "next": (
                    self.env["res.partner"]._followup_download_action(letters, close=True)
                    if letters
                    else {"type": "ir.actions.act_window_close"}
                ),
            },
        }
        return notification

    @api.model
    def _get_delivery_state(self, channel, outcome):
        """What became of an action by now: an e-mail sent at once (one
        customer) is "sent", as the step says, not "queued"."""
        kind = NOTIFICATION_TYPES.get(channel.code)
        if outcome.state != CHANNEL_QUEUED or not outcome.message or kind not in ("email", "sms"):
            return outcome.state
        # The notifications of the message just posted for this customer
        # (a billing user reads only their own): read as the step does.
        notifications = outcome.message.sudo().notification_ids.filtered(lambda n: n.notification_type == kind)
        if notifications and set(notifications.mapped("notification_status")) == {"sent"}:
            return CHANNEL_SENT
        return outcome.state

    @api.model
    def _format_summary(self, counts, problems=None):
        """ "2 e-mails queued, 1 letter printed, 1 skipped: no postal address.":
        what really happened, also when nothing was done."""
        labels = {
            ("email", CHANNEL_QUEUED): (_("1 e-mail queued"), _("%s e-mails queued")),
            ("email", CHANNEL_SENT): (_("1 e-mail sent"), _("%s e-mails sent")),
            ("letter", CHANNEL_SENT): (_("1 letter printed"), _("%s letters printed")),
            ("letter", CHANNEL_QUEUED): (_("1 letter handed to Snailmail"), _("%s letters handed to Snailmail")),
            ("sms", CHANNEL_QUEUED): (_("1 SMS queued"), _("%s SMS queued")),
            ("sms", CHANNEL_SENT): (_("1 SMS sent"), _("%s SMS sent")),
        }
        parts = []
        for key, count in counts.items():
            if key in labels:
                one, many = labels[key]
                parts.append(one if count == 1 else many % count)
        for (state, reason), names in (problems or {}).items():
            if state == CHANNEL_SKIPPED:
                parts.append(
                    _(
                        "%(count)s skipped: %(reason)s (%(customers)s)",
                        count=len(names),
                        reason=reason,
                        customers=", ".join(names),
                    )
                )
            else:
                parts.append(
                    _(
                        "%(count)s failed: %(reason)s (%(customers)s)",
                        count=len(names),
                        reason=reason,
                        customers=", ".join(names),
                    )
                )
        return ", ".join(parts) + "." if parts else _("Nothing was sent.")

    @api.model
    def _is_mobile_number(self, number):
        """Whether ``number`` (E.164) is a mobile number, for the phonenumbers
        library (a number it cannot tell counts as mobile)."""
        try:
            import phonenumbers
        except ImportError:
            return True
        try:
            kind = phonenumbers.number_type(phonenumbers.parse(number))
        except phonenumbers.NumberParseException:
            return True
        return kind in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            phonenumbers.PhoneNumberType.UNKNOWN,
        )
