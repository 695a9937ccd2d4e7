"""The scheduled action past one worker: with OCA's queue_job (a soft
dependency; dev/dev.sh installs it in the test database when it is importable,
test-requirements.txt has it), the day's follow-ups are cut into one job per
batch, and the jobs do what the plain run does."""

import unittest
from unittest.mock import patch

from freezegun import freeze_time

import odoo
from odoo.tests import tagged

from odoo.addons.account_payment_followup.models.account_followup_execution import AccountFollowup

from .common import FollowupCommon

try:
    from odoo.addons.queue_job.job import Job
    from odoo.addons.queue_job.tests.common import trap_jobs
except ImportError:  # queue_job is not on the addons path
    Job = trap_jobs = None

DAY = "2026-03-10"
CHANNEL = "root.account_payment_followup"


class SimulatedCrash(BaseException):
    """A worker killed in the middle of its job (not an error the run handles)."""


@tagged("post_install", "-at_install")
@unittest.skipIf(trap_jobs is None, "OCA queue_job is not importable (pip install -r test-requirements.txt)")
class TestFollowupQueue(FollowupCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        if "queue.job" not in cls.env:
            raise unittest.SkipTest(
                "OCA queue_job is importable but not installed in the test database "
                "(dev/dev.sh installs it with the module: see test_addons)"
            )
        # The runner is not loaded in tests: say the queue is to be used.
        cls.env["ir.config_parameter"].set_param("account_payment_followup.use_queue_job", "1")
        # The first reminder charges a fee, so that the jobs create charges too.
        cls.level_first.write({"charge_fee": True, "fee_amount": 15.0})
        cls.customers = cls.env["res.partner"]
        # Due in 3 days (reminder), 1 to 14 days late (first reminder: e-mail,
        # letter, fee), 20 days late (a call for a person); one not due.
        for index, due in enumerate(
            ["2026-03-13", "2026-03-13", "2026-03-09", "2026-03-05", "2026-02-25", "2026-02-18", "2026-04-30"]
        ):
            customer = cls._create_customer(f"Queued {index}", f"queued{index}@customer.example.com")
            cls._invoice(customer, 100 + index, "2026-01-01", due_date=due)
            cls.customers |= customer
        cls.not_due = cls.customers[-1]
        cls.due = cls.customers - cls.not_due

    def _received(self):
        """What each customer got: e-mails (subjects), letters, activities,
        steps (level, state) and late-payment charges (amount, state)."""
        self.env.flush_all()
        self.env.invalidate_all()
        result = {}
        for customer in self.customers:
            steps = self.env["account.followup.step"].search([("partner_id", "=", customer.id)], order="id")
            result[customer.name] = {
                "mails": sorted(self._followup_mails(customer).mapped("subject")),
                "letters": len(self._letters(customer)),
                "activities": sorted(customer.activity_ids.mapped("summary")),
                "steps": [(step.level_id.name, step.state) for step in steps],
                "charges": [(step.charge_move_id.amount_total, step.charge_move_id.state) for step in steps],
            }
        return result

    def _plain_outcome(self):
        """What the scheduled action does without the queue, undone after."""
        self.env["ir.config_parameter"].set_param("account_payment_followup.use_queue_job", "0")
        savepoint = self.env.cr.savepoint()
        self.env["res.partner"]._cron_execute_followups(batch_size=100)
        outcome = self._received()
        savepoint.close(rollback=True)
        self.env.invalidate_all(flush=False)
        self.env["ir.config_parameter"].set_param("account_payment_followup.use_queue_job", "1")
        return outcome

    def _stored_jobs(self):
        return self.env["queue.job"].search([("method_name", "=", "_job_execute_followups")], order="id")

    def _run_job(self, record):
        """Run a stored job as queue_job's runner does: in a transaction of
        its own (a savepoint here), done, or failed and rolled back."""
        job = Job.load(self.env, record.uuid)
        job.set_started()
        job.store()
        try:
            with self.env.cr.savepoint():
                job.perform()
        except SimulatedCrash as crash:
            self.env.invalidate_all(flush=False)
            job.set_failed(exc_name=type(crash).__name__, exc_message=str(crash))
        else:
            job.set_done(result=job.result)
        job.store()
        record.invalidate_recordset()

    def test_jobs_do_what_the_plain_run_does(self):
        with freeze_time(DAY):
            plain = self._plain_outcome()
            with trap_jobs() as trap:
                self.env["res.partner"]._cron_execute_followups(batch_size=2)
                self.assertFalse(self._followup_mails(self.due), "nothing sent when the jobs are only enqueued")
                self.assertEqual(trap.jobs_count(), 3, "6 customers due, batches of 2: 3 jobs")
                batches = [job.recordset for job in trap.enqueued_jobs]
                self.assertEqual({job.channel for job in trap.enqueued_jobs}, {CHANNEL})
                trap.perform_enqueued_jobs()
            queued = self._received()
        self.assertEqual([len(batch) for batch in batches], [2, 2, 2])
        self.assertEqual(sum(batches, self.env["res.partner"]), self.due, "each customer due in one job")
        self.assertEqual(queued, plain)
        # What was compared: every kind of follow-up of the plan's first levels.
        self.assertEqual(len(plain["Queued 0"]["mails"]), 1)
        self.assertIn("Upcoming payment", plain["Queued 0"]["mails"][0])
        self.assertEqual(len(plain["Queued 3"]["mails"]), 1)
        self.assertEqual(plain["Queued 3"]["letters"], 1)
        self.assertEqual([level for level, _state in plain["Queued 3"]["steps"]], ["First reminder"])
        self.assertEqual(plain["Queued 3"]["charges"][0][0], 15.0, "the first reminder's fee")
        self.assertEqual(plain["Queued 5"]["steps"][0][0], "Call the customer")
        self.assertEqual(len(plain["Queued 5"]["activities"]), 1)
        self.assertEqual(plain["Queued 6"], {"mails": [], "letters": 0, "activities": [], "steps": [], "charges": []})

    def test_a_customer_is_never_in_two_jobs(self):
        with freeze_time(DAY):
            self.env["res.partner"]._cron_execute_followups(batch_size=4)
            jobs = self._stored_jobs()
            self.assertEqual(len(jobs), 2)
            self.assertEqual(set(jobs.mapped("channel")), {CHANNEL})
            self.assertTrue(
                self.env["queue.job.channel"].search([("complete_name", "=", CHANNEL)]),
                "the channel exists for queue_job's screens and autovacuum",
            )
            first, second = (set(job.record_ids) for job in jobs)
            self.assertFalse(first & second)
            self.assertEqual(first | second, set(self.due.ids))
            # The scheduled action again the same day, the jobs not run yet:
            # nothing more, whatever the batch size.
            self.env["res.partner"]._cron_execute_followups(batch_size=3)
            self.assertEqual(self._stored_jobs(), jobs)
            # One job done: the others' customers stay in theirs.
            self._run_job(jobs[0])
            self.env["res.partner"]._cron_execute_followups(batch_size=1)
            self.assertEqual(self._stored_jobs(), jobs)
            self._run_job(jobs[1])
            self.assertEqual(jobs.mapped("state"), ["done", "done"])
            self.env["res.partner"]._cron_execute_followups(batch_size=1)
            self.assertEqual(self._stored_jobs(), jobs, "nobody is due any more")
        for customer in self.due:
            steps = self.env["account.followup.step"].search([("partner_id", "=", customer.id)])
            self.assertEqual(len(steps), 1, f"{customer.name}: one step")

    def test_a_failing_job_is_retried_alone(self):
        with freeze_time(DAY):
            plain = self._plain_outcome()
            self.env["res.partner"]._cron_execute_followups(batch_size=2)
            jobs = self._stored_jobs()
            self.assertEqual(len(jobs), 3)
            failing = jobs[1]
            first, second = self.env["res.partner"].browse(failing.record_ids)
            execute_situation = AccountFollowup._execute_situation

            def crashing(followup, situation, **kwargs):
                if situation.partner == second:
                    raise SimulatedCrash("worker killed")
                return execute_situation(followup, situation, **kwargs)

            # The second job's worker is killed at its second customer.
            with patch.object(AccountFollowup, "_execute_situation", crashing):
                for job in jobs:
                    self._run_job(job)
            self.assertEqual(jobs.mapped("state"), ["done", "failed", "done"])
            self.assertEqual(failing.exc_message, "worker killed")
            self.assertEqual(jobs[0].result, "2 customer(s) followed up, 0 failed, of 2 in the batch")
            others = self.due - first - second
            for customer in others:
                steps = self.env["account.followup.step"].search([("partner_id", "=", customer.id)])
                self.assertEqual(len(steps), 1, f"{customer.name}: done by its job")
            steps = self.env["account.followup.step"].search([("partner_id", "in", (first | second).ids)])
            self.assertFalse(steps, "the failed job is undone as a whole, its first customer too")
            self.assertFalse(self._followup_mails(first | second))
            # Retried alone (a killed worker's job is requeued by queue_job's
            # runner; a failed one from its Jobs screen).
            failing.requeue()
            self._run_job(failing)
            self.assertEqual(jobs.mapped("state"), ["done", "done", "done"])
            self.assertEqual(self._received(), plain, "every customer once, as the plain run does")

    def test_the_queue_only_where_a_job_runner_runs_the_jobs(self):
        """queue_job installed but its runner not loaded by this server (and
        the setting not given): the scheduled action does the work itself, as
        jobs nobody runs would leave the reminders unsent."""
        Param = self.env["ir.config_parameter"]
        Param.set_param("account_payment_followup.use_queue_job", False)  # unset
        with freeze_time(DAY):
            with patch.object(odoo.conf, "server_wide_modules", ["base", "web", "queue_job"]):
                self.assertTrue(self.env["res.partner"]._use_followup_queue(), "the runner is loaded")
            self.assertEqual(odoo.conf.server_wide_modules, ["base", "web"])
            self.env["res.partner"]._cron_execute_followups()
            self.assertFalse(self._stored_jobs())
            self.assertEqual(len(self._followup_mails(self.customers[:4]).recipient_ids), 4)
            Param.set_param("account_payment_followup.use_queue_job", "0")
            with patch.object(odoo.conf, "server_wide_modules", ["base", "web", "queue_job"]):
                self.assertFalse(self.env["res.partner"]._use_followup_queue(), "the setting says no")
