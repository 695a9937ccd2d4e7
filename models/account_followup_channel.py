"""The follow-up channels: one small unit per way of reaching a customer.

Every channel answers the same three questions for a customer's situation
(see ``account.followup._get_situations``): can it run, and why not
(``get_blocker``); what would it do (``describe``, for the preview); do it
(``run``, which returns a :class:`ChannelOutcome`). The engine, the preview,
the e-mail cap, the Send dialog and the history all read the one table,
``account.followup._get_channels()``: adding a channel is adding a unit there.
"""

import logging
from dataclasses import dataclass

from odoo import _, fields

from .account_followup_step_channel import CHANNEL_FAILED, CHANNEL_QUEUED, CHANNEL_SENT, CHANNEL_TO_DO

_logger = logging.getLogger(__name__)


@dataclass
class ChannelOutcome:
    """What a channel did: its state (see account.followup.step.channel), a
    sentence for the chatter and the history, and what it produced."""

    state: str
    note: str
    reason: str = None
    message: object = None
    activity: object = None
    record: object = None


@dataclass
class ChannelOptions:
    """What a person changed before sending (the Send dialog); empty for the
    scheduled action, which sends the level's templates as they are."""

    subject: str = None
    body: str = None
    sms_body: str = None
    attach_invoices: bool = None
    send_now: bool = False
    printed: bool = False  # the letter was printed by the person sending
    letter: object = None  # the PDF produced for them (ir.attachment), recorded with the letter


class FollowupSkip(Exception):
    """A channel cannot run for this customer; the message says why, in the
    user's language."""


class FollowupChannel:
    """Base of the channels. ``level_field`` is the level's boolean that asks for it."""

    code = None
    level_field = None

    def __init__(self, env):
        self.env = env

    def label(self):
        raise NotImplementedError

    def is_enabled(self, level):
        return bool(level[self.level_field])

    def get_blocker(self, situation):
        """Why this channel cannot run for the customer, or an empty string."""
        return ""

    def describe(self, situation):
        """What running the channel would do (the preview)."""
        return self.label()

    def run(self, situation, options):
        """Do it; raise FollowupSkip when it cannot run for this customer."""
        raise NotImplementedError

    def check(self, situation):
        blocker = self.get_blocker(situation)
        if blocker:
            raise FollowupSkip(blocker)


class EmailChannel(FollowupChannel):
    code = "email"
    level_field = "send_email"

    def label(self):
        return _("e-mail")

    def get_blocker(self, situation):
        if not situation.email_recipients:
            return _("the customer has no e-mail address")
        return ""

    def describe(self, situation):
        blocker = self.get_blocker(situation)
        if blocker:
            return _("e-mail skipped: %s", blocker)
        return _("e-mail to %s", ", ".join(situation.email_recipients.mapped("email")))

    def render(self, situation, template):
        """Subject and body of the level's template for this customer, in its
        language, rendered from the situation it is given, with the link to
        the customer's statement page worked out before (the page created if
        missing): the template writes nothing."""
        partner = situation.partner
        context = dict(situation.get_render_context(), followup_page=situation.get_page_values(qr_image="url"))
        # The company's own data (name, e-mail, bank account) comes from the
        # company followed up: the template reads it as `object.env.company`.
        template = template.with_company(situation.company)
        subject = template._render_field("subject", partner.ids, compute_lang=True, add_context=context)[partner.id]
        body = template._render_field(
            "body_html", partner.ids, compute_lang=True, add_context=context, options={"post_process": True}
        )[partner.id]
        return subject, body

    def get_header(self, situation):
        """The e-mail's header ("Your statement of account") names the document
        in the customer's language, as the body: Odoo's layout translates
        "Your" for the recipient and shows this text as given."""
        context = {"lang": situation.partner.lang or self.env.lang}  # the language _() translates into  # noqa: F841
        return _("statement of account")

    def run(self, situation, options):
        self.check(situation)
        partner = situation.partner
        template = situation.mail_template
        if options.subject is not None and options.body is not None:
            subject, body = options.subject, options.body
        elif not template:
            raise FollowupSkip(_("the level has no e-mail template"))
        else:
            subject, body = self.render(situation, template)
        attachments = []
        attach = options.attach_invoices if options.attach_invoices is not None else situation.level.join_invoices
        if attach:
            try:
                attachments = situation.get_invoice_attachments()
            except Exception as error:  # wkhtmltopdf missing or failing: send the e-mail without PDFs
                _logger.warning("Follow-up of partner %s: invoice PDFs not attached: %s", partner.id, error)
                partner._message_post_followup(
                    body=_("Payment follow-up: the invoices could not be attached to the e-mail (%s).", error)
                )
        test_address = situation.company.followup_test_email
        if test_address:
            # Test mode: every follow-up e-mail goes to one address, nobody else.
            message = partner._message_post_followup(
                body=body,
                subject=subject,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                attachments=attachments,
            )
            self.env["mail.mail"].sudo().create(
                {
                    "body_html": body,
                    "email_to": test_address,
                    "mail_message_id": message.id,
                    "attachment_ids": [fields.Command.set(message.attachment_ids.ids)],
                }
            )
            return ChannelOutcome(
                CHANNEL_QUEUED, _("e-mail sent to the test address %s", test_address), message=message
            )
        email_from = (
            template and template.with_company(situation.company)._render_field("email_from", partner.ids)[partner.id]
        ) or situation.company.email_formatted
        recipients = situation.email_recipients
        message = partner.with_context(
            mail_notify_force_send=options.send_now, mail_post_autofollow=False
        )._message_post_followup(
            body=body,
            subject=subject,
            email_from=email_from,
            partner_ids=recipients.ids,
            message_type="comment",
            subtype_xmlid="account_payment_followup.mt_followup",
            attachments=attachments,
            email_layout_xmlid="mail.mail_notification_light",
            # The header of the e-mail: "Your statement of account, <company>",
            # not "Your contact, <the customer's own name>".
            model_description=self.get_header(situation),
            record_name=situation.company.name,
        )
        return ChannelOutcome(
            CHANNEL_QUEUED,
            _("e-mail sent to %s", ", ".join(recipients.mapped("email_formatted"))),
            message=message,
        )


class LetterChannel(FollowupChannel):
    code = "letter"
    level_field = "send_letter"

    def label(self):
        return _("letter")

    def get_blocker(self, situation):
        if not situation.has_postal_address:
            return _("the customer has no complete postal address")
        return ""

    def describe(self, situation):
        blocker = self.get_blocker(situation)
        return _("letter skipped: %s", blocker) if blocker else _("letter")

    def run(self, situation, options):
        self.check(situation)
        partner = situation.partner
        if options.printed:
            # Recorded once its PDF exists (res.partner._followup_render_letters).
            return ChannelOutcome(CHANNEL_SENT, _("letter printed by %s", self.env.user.name), record=options.letter)
        if "snailmail.letter" in self.env and situation.level.auto_execute:
            report = self.env.ref("account_payment_followup.action_report_followup_letter")
            letter = (
                self.env["snailmail.letter"]
                .sudo()
                .create(
                    {
                        "partner_id": partner.id,
                        "model": "res.partner",
                        "res_id": partner.id,
                        "user_id": self.env.user.id,
                        "company_id": situation.company.id,
                        "report_template": report.id,
                    }
                )
            )
            # Handed to Snailmail, not yet posted: it sends it when it has credits.
            # Its message's notification tells when it is posted or refused.
            return ChannelOutcome(
                CHANNEL_QUEUED, _("letter handed to Snailmail for posting"), record=letter, message=letter.message_id
            )
        partner.sudo().followup_letter_to_print = True
        return ChannelOutcome(CHANNEL_TO_DO, _("letter waiting to be printed"))


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


class ManualChannel(FollowupChannel):
    code = "manual"
    level_field = "manual_action"

    def label(self):
        return _("manual action")

    def describe(self, situation):
        return _("activity for %s", situation.responsible.name)

    def run(self, situation, options):
        activity = situation.schedule_activity()
        return ChannelOutcome(
            CHANNEL_TO_DO,
            _(
                "activity “%(action)s” for %(user)s",
                action=situation.level.manual_action_note or situation.level.name,
                user=situation.responsible.name,
            ),
            activity=activity,
        )


# The channels, in the order a level executes them.
CHANNELS = (EmailChannel, LetterChannel, SmsChannel, ManualChannel)
