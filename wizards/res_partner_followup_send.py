from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..followup.channels import ChannelOptions, EmailChannel, SmsChannel
from ..followup.definitions import CHANNEL_FAILED, CHANNEL_QUEUED, CHANNEL_SENT, CHANNEL_SKIPPED, STATUS_ACTION


class ResPartnerFollowupSend(models.TransientModel):
    """Send & Print, as the invoice's: for one customer or a selection, choose
    the channels a person can send (e-mail, letter, SMS: ``sendable`` in the
    channel table), see and edit the texts (one customer), send once. Each
    customer's level is recorded in the follow-up history like the scheduled
    action's.

    The channels offered, the ones proposed, the warnings, the summary and
    what must exist before sending (the letters' PDF) come from the channel
    units (followup/channels/); only the texts a person edits (the e-mail's,
    the SMS's) are fields of their own here."""

    _name = "res.partner.followup.send"
    _description = "Send & Print Follow-ups"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    partner_count = fields.Integer(compute="_compute_partner_count")
    level_id = fields.Many2one(
        "account.followup.level",
        compute="_compute_level_id",
        help="The level due for the customer, else the last one it reached.",
    )
    channel_line_ids = fields.One2many(
        "res.partner.followup.send.channel",
        "wizard_id",
        string="Send By",
        compute="_compute_channel_line_ids",
        store=True,
        readonly=False,
    )
    # The options of the e-mail and the SMS: what a person edits for them.
    send_email = fields.Boolean(compute="_compute_chosen")
    send_sms = fields.Boolean(compute="_compute_chosen")
    attach_invoices = fields.Boolean(
        string="Attach the invoices", compute="_compute_attach_invoices", store=True, readonly=False
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

    def _get_sendable_channels(self):
        """The channels a person can send, in the order of the table."""
        return [channel for channel in self.env["account.followup"]._get_channels() if channel.sendable]

    @api.depends("level_id", "partner_ids")
    def _compute_channel_line_ids(self):
        channels = self._get_sendable_channels()
        for wizard in self:
            level = wizard.level_id
            # The level's channels; when it asks for none a person sends (or
            # there is no level), the default one (the e-mail).
            proposed = [channel for channel in channels if level and channel.is_enabled(level)] or [
                channel for channel in channels if channel.send_by_default
            ]
            proposed = [channel for channel in proposed if not level or channel.is_proposed(level)]
            wizard.channel_line_ids = [fields.Command.clear()] + [
                fields.Command.create({"sequence": sequence, "channel": channel.code, "chosen": channel in proposed})
                for sequence, channel in enumerate(channels)
            ]

    def _get_chosen_channels(self):
        self.ensure_one()
        chosen = set(self.channel_line_ids.filtered("chosen").mapped("channel"))
        return [channel for channel in self._get_sendable_channels() if channel.code in chosen]

    @api.depends("channel_line_ids.chosen")
    def _compute_chosen(self):
        for wizard in self:
            chosen = {channel.code for channel in wizard._get_chosen_channels()}
            wizard.send_email = EmailChannel.code in chosen
            wizard.send_sms = SmsChannel.code in chosen

    @api.depends("level_id", "partner_ids")
    def _compute_attach_invoices(self):
        for wizard in self:
            wizard.attach_invoices = wizard.level_id.join_invoices

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
                wizard.mail_subject, wizard.mail_body = channels[EmailChannel.code].render(
                    situation, wizard.mail_template_id
                )
            wizard.sms_body = channels[SmsChannel.code].render(situation)

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

    @api.depends("partner_ids", "channel_line_ids.chosen")
    def _compute_warnings(self):
        for wizard in self:
            situations = wizard._get_situations().values() if wizard.partner_ids else []
            channels = wizard._get_chosen_channels()
            wizard.warnings = "\n".join(
                warning
                for situation in situations
                for channel in channels
                for warning in channel.get_send_warnings(situation)
            )
            # The e-mail's recipients (its option, shown with its text).
            wizard.email_recipients = ", ".join(
                email
                for situation in situations
                if wizard.send_email
                for email in situation.email_recipients.mapped("email_formatted")
            )

    # ------------------------------------------------------------
    # ACTION METHODS
    # ------------------------------------------------------------

    def action_send(self):
        """Run the chosen channels for each customer and record its step; end
        with what happened (and the letters' PDF to download)."""
        self.ensure_one()
        channels = self._get_chosen_channels()
        if not channels:
            raise UserError(
                _(
                    "Choose at least one of %(channels)s.",
                    channels=self.env["account.followup.step.channel"]._join_channel_labels(
                        self._get_sendable_channels()
                    ),
                )
            )
        followup = self.env["account.followup"]
        single = self.partner_count == 1
        situations = self._get_situations().values()
        for situation in situations:
            situation.partner._check_followup_access()
        options = ChannelOptions(
            subject=self.mail_subject if single else None,
            body=self.mail_body if single else None,
            sms_body=self.sms_body if single else None,
            attach_invoices=self.attach_invoices,
            send_now=single,
        )
        # What must exist first (the letters' PDF: a letter is recorded as
        # printed only once it exists, nothing is sent when it cannot be produced).
        for channel in channels:
            channel.prepare_sending(situations, options)
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
                    key = (channel, self._get_delivery_state(channel, outcome))
                    counts[key] = counts.get(key, 0) + 1
        next_action = None
        for channel in channels:
            next_action = channel.finish_sending(situations, options) or next_action
        notification = {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Send & Print"),
                "message": self._format_summary(counts, problems),
                "type": "warning" if problems else "success",
                "sticky": bool(problems),
                "next": next_action or {"type": "ir.actions.act_window_close"},
            },
        }
        return notification

    @api.model
    def _get_delivery_state(self, channel, outcome):
        """What became of an action by now: an e-mail sent at once (one
        customer) is "sent", as the step says, not "queued"."""
        kind = channel.notification_type
        if outcome.state != CHANNEL_QUEUED or not outcome.message or not kind:
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
        what really happened, also when nothing was done.

        :param dict counts: {(channel, state): count}
        """
        parts = []
        for (channel, state), count in counts.items():
            summary = channel.get_summary(state, count)
            if summary:
                parts.append(summary)
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


class ResPartnerFollowupSendChannel(models.TransientModel):
    """A channel a person can send from Send & Print, chosen or not."""

    _name = "res.partner.followup.send.channel"
    _description = "Send & Print Follow-ups: Channel"
    _order = "sequence, id"

    wizard_id = fields.Many2one("res.partner.followup.send", required=True, ondelete="cascade")
    sequence = fields.Integer()
    channel = fields.Selection(selection="_selection_channel", string="Action", required=True)
    chosen = fields.Boolean(string="Send")

    @api.model
    def _selection_channel(self):
        return [
            (channel.code, channel.title())
            for channel in self.env["account.followup"]._get_channels()
            if channel.sendable
        ]
