import logging

from odoo import api, models

_logger = logging.getLogger(__name__)

# Precedence values of automatic or mass e-mails (RFC 2076, RFC 3834).
AUTOMATIC_PRECEDENCES = ("auto_reply", "bulk", "junk")


def is_automatic_reply(message, message_dict):
    """Whether an incoming e-mail was sent by a program, not a person: an
    out-of-office or other automatic answer, a mass mailing, a bounce.

    :param message: the ``email.message.EmailMessage`` received by the gateway
    :param dict message_dict: what ``mail.thread.message_parse`` read from it
    """
    if message_dict.get("is_bounce"):  # what Odoo's gateway treats as a bounce
        return True
    auto_submitted = (message.get("Auto-Submitted") or "").strip().lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return True
    precedence = (message.get("Precedence") or "").strip().lower()
    return precedence in AUTOMATIC_PRECEDENCES


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        """A customer's e-mail answering one of its payment reminders pauses
        its automated reminders (see ``res.partner._followup_register_reply``).

        Here rather than in ``message_update``: ``message_update`` is public, so
        anyone logged in can call it over RPC with a message of their own,
        while only the mail gateway (``message_process``) comes here, with the
        e-mail itself, whose headers tell a person's answer from an automatic
        one (``message_process`` is public as well: see
        ``_followup_is_mail_gateway``). As Odoo's mass mailing counts replies to
        its mailings here too."""
        thread_id = super()._message_route_process(message, message_dict, routes)
        partner_ids = [route[1] for route in routes or () if route[0] == "res.partner" and route[1]]
        if partner_ids and self._followup_is_mail_gateway() and not is_automatic_reply(message, message_dict):
            try:
                with self.env.cr.savepoint():
                    self.env["res.partner"].browse(partner_ids)._followup_process_gateway_reply(
                        message_dict["message_id"]
                    )
            except Exception:
                # The e-mail is received all the same (in the chatter): only the
                # pause and the responsible's activity are missing.
                _logger.exception(
                    "Payment follow-ups: the reply %s could not pause the reminders", message_dict["message_id"]
                )
        return thread_id

    @api.model
    def _followup_is_mail_gateway(self):
        """Whether the mail gateway delivers this e-mail: the incoming mail
        servers (scheduled action, superuser) or the mailgate script (logged in
        as an administrator). ``message_process`` is public too: any employee
        can call it over RPC with an e-mail of their own, which lands in the
        chatter as Odoo has it but pauses nothing."""
        return self.env.su or self.env.user._is_system()
