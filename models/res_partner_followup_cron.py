"""The scheduled action of payment follow-ups: every enabled company, each on
its own, and the reminders the mail server could not take retried a bounded
number of times. The transaction is the scheduled action's: it commits
(``auto_commit``), the engine (``account.followup._execute_followups``) is told to.
Where OCA's queue_job runs, the action only cuts the day into jobs
(res_partner_followup_queue.py)."""

import logging
import threading

from odoo import api, models

_logger = logging.getLogger(__name__)


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _is_followup_auto_commit(self):
        return not getattr(threading.current_thread(), "testing", False)

    @api.model
    def _cron_execute_followups(self, batch_size=100):
        """Execute today's automated follow-ups of every enabled company, each
        company on its own: a company whose run fails (bad data in its plan...)
        is logged and the others are processed all the same. With queue_job
        (see _use_followup_queue), enqueue them instead, one job per batch of
        ``batch_size`` customers."""
        self._retry_failed_followup_mails()
        companies = self.env["res.company"].search([("payment_followup_enabled", "=", True)])
        auto_commit = self._is_followup_auto_commit()
        use_queue = self._use_followup_queue()
        remaining = False
        for company in companies:
            followup = self.env["account.followup"].with_company(company)
            # The run commits customer by customer: a failure loses what came
            # after the last commit. Without commits (tests), a savepoint
            # stands for them.
            savepoint = None if auto_commit else self.env.cr.savepoint()
            try:
                if use_queue:
                    self.with_company(company)._enqueue_followups(company, batch_size=batch_size)
                else:
                    remaining |= followup._execute_followups(company, batch_size=batch_size, auto_commit=auto_commit)
            except Exception:
                if savepoint:
                    savepoint.close(rollback=True)
                else:
                    self.env.cr.rollback()
                self.env.invalidate_all(flush=False)
                _logger.exception(
                    "Payment follow-ups of company %s (id %s) failed; the other companies are processed",
                    company.name,
                    company.id,
                )
            else:
                if savepoint:
                    savepoint.close(rollback=False)
                elif use_queue:
                    # The company's jobs are kept whatever the next company does.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        # The responsibles' "assigned to you" e-mails of the levels proposed to
        # them, after the batches (see account.followup._execute_followups).
        self.env["mail.activity"]._followup_notify_responsibles(auto_commit=auto_commit)
        if remaining and auto_commit:
            self.env.ref("account_payment_followup.ir_cron_payment_followup")._trigger()
        return True

    @api.model
    def _retry_failed_followup_mails(self):
        """Payment reminders that failed because the mail server could not be
        reached go back to Odoo's mail queue, a bounded number of times (see
        account.followup.step.channel._retry_failed_mails); the follow-up step
        itself was recorded once and is not redone. Wrong addresses are not
        retried."""
        # Sudo: the scheduled action's bookkeeping of the reminders it queued.
        failed = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("state", "=", "exception"),
                    ("mail_message_id.subtype_id", "=", self.env.ref("account_payment_followup.mt_followup").id),
                    ("failure_type", "in", [False, "mail_smtp", "unknown"]),
                ]
            )
        )
        if failed:
            retried = self.env["account.followup.step.channel"].sudo()._retry_failed_mails(failed)
            _logger.info(
                "Payment follow-ups: %s reminder e-mail(s) queued again, %s left failed",
                len(retried),
                len(failed - retried),
            )
