from odoo import _, api, fields, models

from ..followup.definitions import (
    CHANNEL_BOUNCED,
    CHANNEL_DONE,
    CHANNEL_FAILED,
    CHANNEL_QUEUED,
    CHANNEL_SENT,
    CHANNEL_SKIPPED,
    CHANNEL_TO_DO,
)

# The channel states that follow the notifications (never a person's "done",
# a "to do" nor a "skipped").
FOLLOWED_STATES = (CHANNEL_QUEUED, CHANNEL_SENT, CHANNEL_FAILED, CHANNEL_BOUNCED)
# How many times the scheduled action queues again a reminder e-mail that
# failed because the mail server could not be reached; then it is left failed.
MAIL_MAX_RETRIES = 3
# Why a reminder did not reach the customer that is the customer's data to fix
# (an address, a number): the others are the company's (its mail server, its
# SMS or Snailmail account and credit) and ask nobody to fix the customer.
CUSTOMER_DATA_FAILURES = {
    "mail_bounce",
    "mail_email_invalid",
    "mail_email_missing",
    "sms_number_missing",
    "sms_number_format",
    "sms_invalid_destination",
    "sn_fields",
    "sn_format",
}


class AccountFollowupStepChannel(models.Model):
    """The outcome of one action (e-mail, letter, SMS, manual action) of a
    follow-up step, with what it produced."""

    _name = "account.followup.step.channel"
    _description = "Follow-up Step Action"
    _order = "step_id, sequence, id"
    _check_company_auto = True

    step_id = fields.Many2one(
        "account.followup.step", required=True, index=True, ondelete="cascade", readonly=True, check_company=True
    )
    sequence = fields.Integer(readonly=True)
    channel = fields.Selection(
        selection="_selection_channel",
        string="Action",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            (CHANNEL_SENT, "Sent"),
            (CHANNEL_QUEUED, "Queued"),
            (CHANNEL_DONE, "Done"),
            (CHANNEL_TO_DO, "To do"),
            (CHANNEL_SKIPPED, "Skipped"),
            (CHANNEL_FAILED, "Failed"),
            (CHANNEL_BOUNCED, "Bounced"),
        ],
        string="Outcome",
        required=True,
        readonly=True,
    )
    note = fields.Char(string="What Was Done", readonly=True)
    reason = fields.Char(readonly=True, help="Why the action was skipped or failed.")
    user_id = fields.Many2one("res.users", string="Done By", readonly=True)
    done_date = fields.Date(readonly=True)
    # indexed: each change of a notification, and a reply received by the
    # gateway, look up the action the message belongs to
    message_id = fields.Many2one("mail.message", readonly=True, ondelete="set null", index="btree_not_null")
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    retry_count = fields.Integer(
        string="E-mail Retries",
        readonly=True,
        help="How many times the scheduled action queued the e-mail again after the mail server "
        "could not be reached.",
    )
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(string="Document", model_field="res_model", readonly=True)
    # Copies of the step's keys, written with the row, for the pivot and graph
    # views and the record rule (a stored related field costs an UPDATE per row).
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, readonly=True, check_company=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    level_id = fields.Many2one("account.followup.level", readonly=True, check_company=True)
    date = fields.Date(readonly=True)

    @api.model
    def _selection_channel(self):
        """The channels of the table (followup/channels/), in their order."""
        return [(channel.code, channel.title()) for channel in self.env["account.followup"]._get_channels()]

    @api.model
    def _join_channel_labels(self, channels):
        """ "e-mail, letter, SMS or manual action": the labels of ``channels``
        in a sentence, in the user's language."""
        labels = [channel.label() for channel in channels]
        if len(labels) < 2:
            return "".join(labels)
        return _("%(actions)s or %(last)s", actions=", ".join(labels[:-1]), last=labels[-1])

    @api.model_create_multi
    def create(self, vals_list):
        # The step's keys, when the caller did not copy them: the row is in its
        # step's company (check_company, record rules).
        for vals in vals_list:
            if vals.get("step_id") and not vals.get("company_id"):
                step = self.env["account.followup.step"].browse(vals["step_id"])
                keys = {
                    "company_id": step.company_id.id,
                    "partner_id": step.partner_id.id,
                    "level_id": step.level_id.id,
                    "date": step.date,
                }
                vals.update({key: value for key, value in keys.items() if key not in vals})
        return super().create(vals_list)

    def _get_channel_label(self):
        self.ensure_one()
        return dict(self._fields["channel"]._description_selection(self.env))[self.channel]

    def _get_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _sync_with_notifications(self):
        """Follow what became of the e-mails, SMS and posted letters of these
        actions: Odoo's notifications of their message say whether each was
        sent, bounced or failed, and why. A bounced or failed reminder asks the
        responsible to fix the customer's data, as the scheduled action does
        for data it cannot use.

        The engine's bookkeeping of the history, run when Odoo updates a
        notification (as the mail queue, the SMS provider or the mail gateway:
        sudo() on these rows only)."""
        # Which of Odoo's notifications carry the outcome of a channel (see
        # FollowupChannel.notification_type): the e-mail's (mail.mail), the
        # SMS's (sms.sms), the posted letter's (snailmail.letter, when Snailmail
        # is installed) update them when they are sent, bounce or fail.
        kinds = {
            channel.code: channel.notification_type
            for channel in self.env["account.followup"]._get_channels()
            if channel.notification_type
        }
        rows = self.sudo().filtered(lambda r: r.message_id and r.state in FOLLOWED_STATES and r.channel in kinds)
        for row in rows:
            notifications = row.message_id.notification_ids.filtered(
                lambda n, kind=kinds[row.channel]: n.notification_type == kind
            )
            if not notifications:
                continue
            state, reason = row._get_notifications_outcome(notifications)
            if state == row.state and (reason or False) == (row.reason or False):
                continue
            row.write({"state": state, "reason": reason})
            # A mail server that could not be reached (the scheduled action
            # queues the e-mail again), an SMS account without credit: nothing
            # to fix in the customer's data.
            customer_data = state == CHANNEL_BOUNCED or CUSTOMER_DATA_FAILURES & set(
                notifications.mapped("failure_type")
            )
            if state in (CHANNEL_BOUNCED, CHANNEL_FAILED) and customer_data:
                row._ask_to_fix(reason)

    def _get_notifications_outcome(self, notifications):
        """(state, reason) of an action from the notifications of its message:
        one bounce or failure is the action's (a reminder that did not reach
        one of its recipients must be fixed); sent when all were sent."""
        self.ensure_one()
        statuses = set(notifications.mapped("notification_status"))
        failure_types = dict(notifications._fields["failure_type"]._description_selection(self.env))
        for status, state in (("bounce", CHANNEL_BOUNCED), ("exception", CHANNEL_FAILED), ("canceled", CHANNEL_FAILED)):
            if status in statuses:
                reasons = []
                for notification in notifications.filtered(lambda n, s=status: n.notification_status == s):
                    why = failure_types.get(notification.failure_type) or (
                        _("cancelled") if status == "canceled" else _("unknown error")
                    )
                    if notification.failure_reason:
                        why = f"{why}: {notification.failure_reason}"
                    who = notification.res_partner_id.email or notification.res_partner_id.display_name
                    reasons.append(f"{who}: {why}" if who else why)
                return state, "; ".join(reasons)
        # an SMS handed to the provider is "pending" until it says delivered
        if statuses <= {"sent", "pending"}:
            return CHANNEL_SENT, False
        return CHANNEL_QUEUED, False

    @api.model
    def _retry_failed_mails(self, mails):
        """Queue again these failed reminder e-mails (the mail server could not
        be reached), at most MAIL_MAX_RETRIES times each, counted on the step's
        e-mail action; then leave them failed and say so on the action. An
        e-mail no step action follows has no count and is not queued again.

        :return: the e-mails queued again
        """
        emails = [
            channel.code
            for channel in self.env["account.followup"]._get_channels()
            if channel.notification_type == "email"
        ]
        rows = self.search([("message_id", "in", mails.mail_message_id.ids), ("channel", "in", emails)])
        retried = mails.browse()
        for row in rows:
            row_mails = mails.filtered(lambda mail, row=row: mail.mail_message_id == row.message_id)
            if row.retry_count < MAIL_MAX_RETRIES:
                row.retry_count += 1
                retried |= row_mails
                continue
            reason = _("mail server unreachable after %(count)s attempts to send it again", count=MAIL_MAX_RETRIES)
            if row.state != CHANNEL_FAILED or row.reason != reason:
                row.write({"state": CHANNEL_FAILED, "reason": reason})
        retried.write({"state": "outgoing", "failure_reason": False})
        return retried

    def _ask_to_fix(self, reason):
        """The activity the scheduled action creates for bad data, for the
        customer's follow-up responsible."""
        self.ensure_one()
        partner = self.partner_id or self.step_id.partner_id
        title = _(
            "The %(action)s of the payment follow-up “%(level)s”",
            action=self._get_channel_label(),
            level=self.level_id.name or self.step_id.level_id.name,
        )
        self.env["account.followup"]._ask_to_fix_data(
            partner.with_company(self.company_id),
            partner.with_company(self.company_id)._get_followup_responsible(self.level_id or None),
            title,
            f"{self._get_channel_label()}: {self._get_state_label()} ({reason})",
        )
