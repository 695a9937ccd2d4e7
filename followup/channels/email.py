"""The e-mail: the level's template rendered for the customer, posted in its chatter."""

import logging

from odoo import _, fields

from ..definitions import CHANNEL_QUEUED, CHANNEL_SENT
from .base import ChannelOutcome, FollowupChannel, FollowupSkip

_logger = logging.getLogger(__name__)


class EmailChannel(FollowupChannel):
    code = "email"
    level_field = "send_email"
    template_field = "mail_template_id"
    weight = 10
    notification_type = "email"
    capped = True
    sendable = True
    send_by_default = True

    def title(self):
        return _("E-mail")

    def label(self):
        return _("e-mail")

    def get_summary(self, state, count):
        if state == CHANNEL_QUEUED:
            return _("1 e-mail queued") if count == 1 else _("%s e-mails queued", count)
        if state == CHANNEL_SENT:
            return _("1 e-mail sent") if count == 1 else _("%s e-mails sent", count)
        return None

    def get_template_error(self, level):
        if self.is_enabled(level) and not level.mail_template_id:
            return _("The follow-up level “%s” sends an e-mail: choose its e-mail template.", level.name)
        return ""

    def get_blocker(self, situation):
        if not situation.email_recipients:
            return _("the customer has no e-mail address")
        return ""

    def get_send_warnings(self, situation):
        if self.get_blocker(situation):
            return [_("%s has no e-mail address: no e-mail will be sent.", situation.partner.display_name)]
        return []

    def is_proposed(self, level):
        # A level without a template of its own proposes no e-mail (its
        # template is never borrowed from another level).
        return bool(level.mail_template_id)

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
        # The body's QWeb compiled once for the batch (see models/ir_qweb.py).
        template = template.with_company(situation.company).with_context(followup_compile_cache=True)
        subject = template._render_field("subject", partner.ids, compute_lang=True, add_context=context)[partner.id]
        body = template._render_field(
            "body_html", partner.ids, compute_lang=True, add_context=context, options={"post_process": True}
        )[partner.id]
        return subject, body

    def _get_post_values(self, situation, email_from):
        """The author, the alias domain and the reply-to that ``message_post``
        would work out for the reminder, worked out once for the customers of
        the batch (``situation.shared``): the same values, set-based (one
        query each for the batch instead of five per customer)."""
        partner = situation.partner
        shared = situation.shared
        values = shared.setdefault("email_post_values", {})
        if partner.id not in values:
            ids = [pid for pid in shared.get("partner_ids", ()) if pid not in values]
            if partner.id not in ids:
                ids = partner.ids
            # As message_post does it (it runs as sudo, see _message_post_followup).
            records = self.env["res.partner"].with_company(situation.company).sudo().browse(ids)
            domains = records._mail_get_alias_domains(default_company=situation.company)
            reply_to = records._notify_get_reply_to(default=False)
            values.update({pid: (domains[pid].id, reply_to[pid]) for pid in ids})
        domain_id, reply_to = values[partner.id]
        authors = shared.setdefault("email_authors", {})
        if email_from not in authors:
            authors[email_from] = partner.sudo()._message_compute_author(None, email_from, raise_on_email=False)[0]
        return {
            "author_id": authors[email_from],
            "email_from": email_from,
            "record_alias_domain_id": domain_id,
            "reply_to": reply_to or email_from,
        }

    def _subscribe_author(self, situation, author_id):
        """What ``message_post`` does once it posted (the person who sends,
        else an active author, follows the customer to receive its answers),
        done before it for the customers of the batch this channel e-mails,
        in one statement (``situation.shared``), the post then told not to
        (``mail_create_nosubscribe``). The same followers as Odoo's."""
        if self.env.user.active:
            follower = self.env.user.partner_id
        else:
            follower = self.env["res.partner"].browse(author_id or [])
            follower = follower if follower.active else follower.browse()
        if not follower:
            return
        situation.subscribe_with_batch(
            follower,
            lambda other: other.level.auto_execute and self.is_enabled(other.level) and not self.get_blocker(other),
        )

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
        post_values = self._get_post_values(situation, email_from)
        self._subscribe_author(situation, post_values["author_id"])
        message = partner.with_context(
            mail_notify_force_send=options.send_now, mail_post_autofollow=False, mail_create_nosubscribe=True
        )._message_post_followup(
            body=body,
            subject=subject,
            partner_ids=recipients.ids,
            **post_values,
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
