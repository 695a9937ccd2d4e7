"""The SMS: the level's SMS template, through Odoo's SMS app."""

from odoo import _

from ...models.account_followup_step_channel import CHANNEL_FAILED, CHANNEL_QUEUED, CHANNEL_SENT
from .base import ChannelOutcome, FollowupChannel


class SmsChannel(FollowupChannel):
    code = "sms"
    level_field = "send_sms"

    def label(self):
        return _("SMS")

    def get_blocker(self, situation):
        if not situation.sms_number:
            return _("the customer has no valid mobile number")
        return ""

    def describe(self, situation):
        blocker = self.get_blocker(situation)
        return _("SMS skipped: %s", blocker) if blocker else _("SMS to %s", situation.sms_number)

    def render(self, situation):
        template = situation.level.sms_template_id or self.env.ref("account_payment_followup.sms_template_followup")
        template = template.with_company(situation.company)  # the company followed up, see EmailChannel.render
        partner = situation.partner
        return template._render_field(
            "body", partner.ids, compute_lang=True, add_context=situation.get_render_context()
        )[partner.id]

    def run(self, situation, options):
        self.check(situation)
        partner = situation.partner
        body = options.sms_body if options.sms_body is not None else self.render(situation)
        number = situation.sms_number
        # The user's rights were checked before the channels run (billing users
        # may read customers, not edit them).
        message = partner.sudo()._message_sms(body, sms_numbers=[number], put_in_queue=not options.send_now)
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)], limit=1)
        if options.send_now and sms.state == "error":
            # The real outcome, not "sent": the SMS provider refused it.
            failure = dict(sms._fields["failure_type"]._description_selection(self.env)).get(sms.failure_type)
            return ChannelOutcome(
                CHANNEL_FAILED,
                _("SMS to %s not sent", number),
                reason=failure or _("the SMS provider refused it"),
                message=message,
                record=sms,
            )
        state = CHANNEL_SENT if options.send_now and sms.state in ("sent", False) else CHANNEL_QUEUED
        return ChannelOutcome(state, _("SMS sent to %s", number), message=message)
