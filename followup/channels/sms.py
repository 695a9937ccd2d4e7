"""The SMS: the level's SMS template, through Odoo's SMS app."""

from odoo import _

from ..definitions import CHANNEL_FAILED, CHANNEL_QUEUED, CHANNEL_SENT
from .base import ChannelOutcome, FollowupChannel


class SmsChannel(FollowupChannel):
    code = "sms"
    level_field = "send_sms"
    template_field = "sms_template_id"
    weight = 20
    notification_type = "sms"
    sendable = True

    def title(self):
        return _("SMS")

    def label(self):
        return _("SMS")

    def get_summary(self, state, count):
        if state == CHANNEL_QUEUED:
            return _("1 SMS queued") if count == 1 else _("%s SMS queued", count)
        if state == CHANNEL_SENT:
            return _("1 SMS sent") if count == 1 else _("%s SMS sent", count)
        return None

    def get_template_error(self, level):
        if self.is_enabled(level) and not level.sms_template_id:
            return _("The follow-up level “%s” sends an SMS: choose its SMS template.", level.name)
        return ""

    def get_blocker(self, situation):
        if not situation.sms_number:
            return _("the customer has no valid mobile number")
        return ""

    def get_send_warnings(self, situation):
        name = situation.partner.display_name
        if self.get_blocker(situation):
            return [_("%s has no valid mobile number: no SMS.", name)]
        if not self.is_mobile_number(situation.sms_number):
            number = (
                situation.partner._format_followup_phone(situation.sms_number, force_format="INTERNATIONAL")
                or situation.sms_number
            )
            return [
                _(
                    "%(customer)s: %(number)s is not a mobile number: the SMS will probably not arrive.",
                    customer=name,
                    number=number,
                )
            ]
        return []

    @staticmethod
    def is_mobile_number(number):
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
