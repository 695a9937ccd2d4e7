"""The scheduled action past one worker: where OCA's ``queue_job`` is installed
(a soft dependency, never named in the manifest), the day's follow-ups are cut
into jobs of one batch of customers each, on a channel of their own
(``root.account_payment_followup``), so that every Odoo worker running the job
queue takes a share. Without it, or without a job runner to run the jobs, the
scheduled action does the work itself (res_partner_followup_cron.py).

What makes a job safe to run beside the others, or twice: the batches are
disjoint (a customer is never in two jobs waiting or running at once), and each
job is the plain run's engine (``account.followup._execute_followups``) on its
customers, which locks each customer and checks the history first and leaves
every e-mail, SMS and letter in a queue. A job is one transaction, queue_job's
(it commits it when the job is done): committing inside would also release the
lock that tells queue_job's runner the job is alive, and the runner would start
it again. A job that fails is rolled back as a whole, having sent nothing, and
retried on its own (by queue_job after a concurrency error or a killed worker,
or from its Jobs screen); the other jobs are not affected.
"""

import hashlib
import logging

import odoo
from odoo import _, api, fields, models
from odoo.tools import str2bool

_logger = logging.getLogger(__name__)

QUEUE_CHANNEL = "account_payment_followup"
QUEUE_PARAM = "account_payment_followup.use_queue_job"
# Jobs whose customers are still to be done (queue_job's states).
JOB_STATES_TO_DO = ("wait_dependencies", "pending", "enqueued", "started")


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _use_followup_queue(self):
        """Whether the scheduled action hands its batches to queue_job.

        Only when queue_job is installed, and either the system parameter
        ``account_payment_followup.use_queue_job`` says so (``1`` / ``0``), or,
        when it is not set, this server loads queue_job's job runner
        (``--load=web,queue_job`` or ``server_wide_modules``): jobs nobody runs
        would leave the day's reminders unsent.
        """
        if "queue.job" not in self.env:
            return False
        # Sudo: the scheduled action reads a technical setting.
        setting = self.env["ir.config_parameter"].sudo().get_param(QUEUE_PARAM)
        if setting:
            return str2bool(setting, default=False)
        return "queue_job" in odoo.conf.server_wide_modules

    @api.model
    def _get_followup_queue_channel(self):
        """The complete name of the jobs' channel, created under queue_job's
        root channel when missing (the manifest cannot declare it: queue_job is
        not a dependency). Its capacity is set in the job runner's
        configuration (``[queue_job] channels = root:2,root.account_payment_followup:2``);
        the record lets queue_job's autovacuum clean its done jobs."""
        # Sudo: queue_job's channels are technical records of its managers.
        Channel = self.env["queue.job.channel"].sudo()
        root = self.env.ref("queue_job.channel_root").sudo()
        channel = Channel.search([("name", "=", QUEUE_CHANNEL), ("parent_id", "=", root.id)], limit=1)
        if not channel:
            channel = Channel.create({"name": QUEUE_CHANNEL, "parent_id": root.id})
        return channel.complete_name

    @api.model
    def _get_followup_partners_in_queue(self, company):
        """Ids of the customers of ``company`` in follow-up jobs not done yet."""
        # Sudo: the scheduled action reads its own jobs.
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("model_name", "=", self._name),
                    ("method_name", "=", "_job_execute_followups"),
                    ("company_id", "=", company.id),
                    ("state", "in", JOB_STATES_TO_DO),
                ]
            )
        )
        return {partner_id for job in jobs for partner_id in job.record_ids}

    @api.model
    def _enqueue_followups(self, company, batch_size=100):
        """Cut today's follow-ups of ``company`` into jobs of ``batch_size``
        customers, one job per batch; the e-mail cap is checked on the whole
        day first. Customers already in a job not done yet are left to it, and
        a batch enqueued again the same day (the same customers) is not
        duplicated (queue_job's identity key).

        :return: the number of jobs enqueued
        """
        followup = self.env["account.followup"].with_company(company)
        today = fields.Date.context_today(self)
        due = followup._get_due_followups(company, today)
        if followup._check_email_cap(company, due):
            return 0
        queued = self._get_followup_partners_in_queue(company)
        partner_ids = [partner.id for partner, _level in due if partner.id not in queued]
        if not partner_ids:
            return 0
        channel = self._get_followup_queue_channel()
        batches = [partner_ids[start : start + batch_size] for start in range(0, len(partner_ids), batch_size)]
        for number, batch in enumerate(batches, start=1):
            digest = hashlib.sha1(",".join(map(str, batch)).encode()).hexdigest()
            self.browse(batch).with_company(company).with_delay(
                channel=channel,
                identity_key=f"account_payment_followup:{company.id}:{today}:{digest}",
                description=_(
                    "Payment follow-ups of %(company)s, %(date)s: batch %(number)s of %(count)s (%(customers)s customers)",
                    company=company.name,
                    date=today,
                    number=number,
                    count=len(batches),
                    customers=len(batch),
                ),
            )._job_execute_followups(company)
        _logger.info(
            "Payment follow-ups of %s: %s customer(s) in %s job(s) on channel %s",
            company.name,
            len(partner_ids),
            len(batches),
            channel,
        )
        return len(batches)

    def _job_execute_followups(self, company):
        """One job of the queue: the follow-ups of these customers in
        ``company``, those still due when the job runs, as the plain run does
        them, in the job's transaction (see the module's docstring).

        :return: what the job did, shown on the job
        """
        report = {}
        self.env["account.followup"].with_company(company)._execute_followups(
            company, auto_commit=False, report=report, partner_ids=self.ids
        )
        # The responsibles' "assigned to you" e-mails of the job's proposals.
        self.env["mail.activity"]._followup_notify_responsibles()
        return _(
            "%(done)s customer(s) followed up, %(failed)s failed, of %(count)s in the batch",
            done=len(report.get("done", [])),
            failed=len(report.get("errors", [])),
            count=len(self),
        )
