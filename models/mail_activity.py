import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class MailActivity(models.Model):
    _inherit = "mail.activity"

    followup_level_id = fields.Many2one(
        "account.followup.level",
        string="Follow-up Level",
        ondelete="set null",
        help="The follow-up level this activity does, for a customer.",
    )
    followup_notify_pending = fields.Boolean(
        string="Follow-up Notification Pending",
        index=True,
        copy=False,
        help="Proposed by the scheduled action of payment follow-ups: its responsible's "
        '"assigned to you" e-mail is still to be sent, after the batch.',
    )

    @api.model
    def _followup_notify_responsibles(self, auto_commit=False, batch_size=100):
        """Send the "assigned to you" e-mails of the activities the scheduled
        action proposed (``followup_notify_pending``): the same e-mail Odoo
        sends when an activity is created for somebody else, rendered here
        after the batches rather than inside each customer's follow-up (a
        third of its time). Each is sent once: the flag is cleared in the same
        transaction as the e-mail is queued (commit after each ``batch_size``
        with ``auto_commit``), and a run stopped midway leaves the rest for
        the next one."""
        # The scheduled action's bookkeeping, as Odoo's create() notifies with
        # sudo for a responsible the creator may not read.
        Activity = self.sudo().with_context(mail_notify_force_send=False)
        while True:
            self.flush_model(["followup_notify_pending"])
            # Locked: another worker (a job of the queue, the scheduled action)
            # notifying at the same moment takes the others.
            self.env.cr.execute(
                """
                SELECT id FROM mail_activity
                 WHERE followup_notify_pending
                 ORDER BY id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                [batch_size],
            )
            pending = Activity.browse([row[0] for row in self.env.cr.fetchall()])
            if not pending:
                return
            for activity in pending:
                # The layout's company is the one the level belongs to.
                company = activity.followup_level_id.company_id or self.env.company
                try:
                    with self.env.cr.savepoint():
                        activity.with_company(company).action_notify()
                except Exception:  # one that cannot be rendered is not tried for ever
                    _logger.exception(
                        "Payment follow-ups: the responsible of activity %s could not be told", activity.id
                    )
            pending.write({"followup_notify_pending": False})
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking a follow-up activity done completes its action in the
        follow-up history (and the step when nothing else is left to do)."""
        followups = self.filtered(lambda a: a.followup_level_id and a.res_model == "res.partner")
        # The responsible who did the action may be a salesperson without
        # accounting rights: recording it is the system's job.
        rows = (
            self.env["account.followup"].sudo()._get_activity_channels(followups)
            if followups
            else self.env["account.followup.step.channel"]
        )
        user = self.env.user
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if rows:
            # The history's bookkeeping is the system's (sudo); the step becomes
            # the user's and its late-payment charges are invoiced with the
            # user's own rights (see _complete_channels).
            self.env["account.followup"].sudo()._complete_channels(rows, user)
        return result
