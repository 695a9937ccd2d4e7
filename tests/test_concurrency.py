import threading
import time
import uuid
from datetime import timedelta
from unittest.mock import patch

import odoo
from odoo import Command, api, fields
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.account_payment_followup.models.account_followup_execution import AccountFollowup


class SimulatedCrash(BaseException):
    """A worker killed in the middle of a batch."""


@tagged("post_install", "-at_install")
class TestConcurrency(BaseCase):
    """Two workers at once, and a worker killed mid-batch, on real committed
    transactions: each step is sent exactly once and none is lost."""

    CUSTOMERS = 6

    def setUp(self):
        super().setUp()
        self.registry = odoo.registry(get_db_name())
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            company = env["res.company"].create({"name": f"Concurrency {tag}"})
            env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
            company.write({"payment_followup_enabled": True, "email": "ar@concurrency.example.com"})
            env = env(context={"allowed_company_ids": company.ids})
            invoice_date = fields.Date.today() - timedelta(days=2)
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"Concurrent {tag} {index}",
                        "email": f"customer{index}.{tag}@example.com",
                        "street": "1 Main Street",
                        "city": "Springfield",
                        "country_id": env.ref("base.us").id,
                    }
                    for index in range(self.CUSTOMERS)
                ]
            )
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": invoice_date,
                        "invoice_date_due": invoice_date,
                        "invoice_line_ids": [
                            Command.create({"name": "Services", "quantity": 1, "price_unit": 100, "tax_ids": []})
                        ],
                    }
                    for partner in partners
                ]
            )
            moves.action_post()
            self.company_id = company.id
            self.partner_ids = partners.ids
            self.first_level_id = (
                env["account.followup.level"].search([("company_id", "=", company.id), ("delay", "=", 1)]).id
            )
        self.addCleanup(self._disable_company)

    def _disable_company(self):
        with self.registry.cursor() as cr:
            api.Environment(cr, odoo.SUPERUSER_ID, {})["res.company"].browse(self.company_id).write(
                {"payment_followup_enabled": False}
            )

    def _run_workers(self, count, crash_after=None):
        """Run the scheduled action in ``count`` threads started together, each
        with its own cursor, as Odoo workers do."""
        barrier = threading.Barrier(count)
        errors = []

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                    barrier.wait(timeout=30)
                    env["res.partner"]._cron_execute_followups()
            except SimulatedCrash:
                errors.append("crash")
            except Exception as error:  # reported by the assertions of the test
                errors.append(repr(error))

        threads = [threading.Thread(target=worker) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        return errors

    def _results(self):
        """Per customer: reminder e-mails, follow-up logs, items at the first
        level, and the steps in the follow-up history."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            result = {}
            for partner in env["res.partner"].browse(self.partner_ids):
                mails = env["mail.mail"].search_count([("recipient_ids", "in", partner.ids)])
                logs = env["mail.message"].search_count(
                    [("model", "=", "res.partner"), ("res_id", "=", partner.id), ("body", "ilike", "First reminder")]
                )
                items = env["account.move.line"].search(
                    [("partner_id", "=", partner.id), ("account_id.account_type", "=", "asset_receivable")]
                )
                steps = env["account.followup.step"].search([("partner_id", "=", partner.id)])
                result[partner.name] = (mails, logs, items.followup_level_id.ids, [step.level_id.id for step in steps])
            return result

    def _contacts(self):
        """The customers' "Last Updated on/by", which the follow-ups never touch."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT id, write_date, write_uid FROM res_partner WHERE id = ANY(%s) ORDER BY id", [self.partner_ids]
            )
            return cr.fetchall()

    def _assert_each_customer_once(self):
        for name, (mails, logs, levels, steps) in self._results().items():
            self.assertEqual(mails, 1, f"{name}: one reminder e-mail")
            self.assertEqual(steps, [self.first_level_id], f"{name}: one step in the history")
            self.assertEqual(logs, 1, f"{name}: logged once")
            self.assertEqual(levels, [self.first_level_id], f"{name}: the level is recorded")

    def test_two_workers_at_the_same_moment_send_each_step_once(self):
        run_channels = AccountFollowup._run_channels
        execute_situation = AccountFollowup._execute_situation
        attempts = []

        def slow_run_channels(followup, situation, channels=None, options=None, **kwargs):
            # rendering and queuing take time: both workers are busy at once
            result = run_channels(followup, situation, channels, options, **kwargs)
            time.sleep(0.2)
            return result

        def counted_execute_situation(followup, situation, **kwargs):
            attempts.append(threading.current_thread().name)
            return execute_situation(followup, situation, **kwargs)

        contacts = self._contacts()
        with (
            patch.object(AccountFollowup, "_run_channels", slow_run_channels),
            patch.object(AccountFollowup, "_execute_situation", counted_execute_situation),
        ):
            errors = self._run_workers(2)
        self.assertFalse(errors)
        self.assertEqual(self._contacts(), contacts, "the customers' contacts are locked, not written")
        self.assertEqual(len(set(attempts)), 2, "both workers went for the customers")
        self.assertGreater(len(attempts), self.CUSTOMERS, "they contended for the same customers")
        self._assert_each_customer_once()
        # and a third run the same day does nothing new
        self.assertFalse(self._run_workers(1))
        self._assert_each_customer_once()

    def test_worker_killed_mid_batch_then_restarted(self):
        original = AccountFollowup._execute_situation
        calls = []

        def crash_on_third(followup, situation, **kwargs):
            if situation.company.id == self.company_id:
                calls.append(situation.partner.id)
                if len(calls) == 3:
                    raise SimulatedCrash
            return original(followup, situation, **kwargs)

        # A commit every two customers (20 by default, see _followup_commit_every).
        with (
            patch.object(AccountFollowup, "_execute_situation", crash_on_third),
            patch.object(AccountFollowup, "_followup_commit_every", 2),
        ):
            self.assertEqual(self._run_workers(1), ["crash"])
        done = [name for name, (mails, _logs, _levels, _steps) in self._results().items() if mails]
        self.assertEqual(len(done), 2, "the two customers before the crash were committed")
        self.assertFalse(self._run_workers(1), "the restarted run goes through")
        self._assert_each_customer_once()

    def test_worker_killed_before_its_first_commit_then_restarted(self):
        """Killed before its first commit, a worker leaves nothing (its
        e-mails were only queued in its transaction): the next run does every
        customer, once."""
        original = AccountFollowup._execute_situation
        calls = []

        def crash_on_fifth(followup, situation, **kwargs):
            if situation.company.id == self.company_id:
                calls.append(situation.partner.id)
                if len(calls) == 5:
                    raise SimulatedCrash
            return original(followup, situation, **kwargs)

        with patch.object(AccountFollowup, "_execute_situation", crash_on_fifth):
            self.assertEqual(self._run_workers(1), ["crash"])
        done = [name for name, (mails, _logs, _levels, steps) in self._results().items() if mails or steps]
        self.assertFalse(done, "nothing of the four customers before the crash was committed, nothing queued")
        self.assertFalse(self._run_workers(1), "the restarted run goes through")
        self._assert_each_customer_once()
