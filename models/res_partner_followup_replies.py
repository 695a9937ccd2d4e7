"""Replies to reminders: an e-mail a person wrote back to a payment reminder,
through the mail gateway, pauses the customer's automated reminders for a
few days and tells the responsible (see ``mail.thread._message_route_process``)."""

import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import format_date, html2plaintext

_logger = logging.getLogger(__name__)


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    followup_paused_until = fields.Date(
        string="Reminders Paused Until",
        company_dependent=True,
        copy=False,
        help="The customer replied to a reminder: no automated reminder before this date.",
    )

    def _followup_process_gateway_reply(self, message_id):
        """The e-mail ``message_id`` the mail gateway just posted on these
        customers: when it answers a payment reminder posted on the same
        customer, the customer's automated reminders pause. Called by the
        gateway only (``mail.thread._message_route_process``), for e-mails a
        person wrote (automatic replies are left out there)."""
        # The gateway may run as the mail-fetching user, who need not read
        # every contact's chatter: the server reads the messages it just posted.
        messages = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("message_id", "=", message_id),
                    ("model", "=", "res.partner"),
                    ("res_id", "in", self.ids),
                    ("message_type", "=", "email"),
                ]
            )
        )
        for message in messages:
            reminder = self._followup_get_replied_reminder(message.parent_id)
            customer = self.browse(message.res_id).commercial_partner_id
            if not reminder or self.browse(reminder.res_id).commercial_partner_id != customer:
                continue  # not an answer to a reminder of this customer
            company = (
                self.env["account.followup.step.channel"].sudo().search([("message_id", "=", reminder.id)], limit=1)
            ).company_id or self.env.company
            customer.with_company(company)._followup_register_reply(message)

    @api.model
    def _followup_get_replied_reminder(self, message):
        """The payment reminder ``message`` is (directly, or through an earlier
        answer in the same conversation), or an empty recordset."""
        reminder_subtype = self.env.ref("account_payment_followup.mt_followup")
        message = message.sudo()
        while message:
            if message.subtype_id == reminder_subtype and message.model == "res.partner":
                return message
            message = message.parent_id
        return message

    def _followup_register_reply(self, message):
        """The customer answered a reminder with ``message`` (an e-mail received
        by the gateway): pause its automated reminders and tell the responsible.

        Sudo, narrowly: this is the server's reaction to an e-mail, not a
        person's action; the gateway's user need not be a billing user."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        days = self.env.company.followup_reply_pause_days
        paused_until = today + timedelta(days=days) if days > 0 else False
        if paused_until and (not self.followup_paused_until or self.followup_paused_until < paused_until):
            self.sudo().followup_paused_until = paused_until
        reply = html2plaintext(message.body or "").strip()
        sender = message.email_from or self.display_name
        responsible = self._get_followup_responsible()
        self.sudo().with_context(mail_notify_force_send=False).activity_schedule(
            "account_payment_followup.mail_activity_type_followup",
            summary=_("Customer replied"),
            note=Markup("<p>%s</p><blockquote>%s</blockquote>")
            % (
                _("%(sender)s replied to the payment reminder:", sender=sender),
                Markup("<br/>").join(reply.splitlines()[:40]),
            ),
            user_id=responsible.id,
        )
        if paused_until:
            body = _(
                "The customer replied to the payment reminder: automated reminders paused until %(date)s.",
                date=format_date(self.env, paused_until),
            )
        else:
            body = _("The customer replied to the payment reminder.")
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    def _followup_is_paused(self, today):
        """Automated reminders wait: the customer replied to one lately."""
        self.ensure_one()
        return bool(self.followup_paused_until and self.followup_paused_until > today)

    def action_followup_resume(self):
        """Resume the automated reminders at once (after a customer's reply)."""
        self._check_followup_access()
        for partner in self.commercial_partner_id.filtered("followup_paused_until"):
            partner._followup_write({"followup_paused_until": False})
            partner._message_post_followup(body=_("Automated reminders resumed."))
        return True
