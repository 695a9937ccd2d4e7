import threading
import time
import uuid
from datetime import timedelta
from unittest.mock import patch

import odoo
from odoo import Command, api, fields
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.account_payment_followup.models.account_followup_charges_mixin import (
    AccountFollowupChargesMixin as AccountFollowupStep,
)


class SimulatedCrash(BaseException):
    """A worker killed in the middle of its transaction."""


@tagged("post_install", "-at_install")
class TestChargesConcurrency(BaseCase):
    """Late-payment charges on real committed transactions: two workers at once
    and a crashed worker never charge twice."""

    def setUp(self):
        super().setUp()
        self.registry = odoo.registry(get_db_name())
        tag = uuid.uuid4().hex[:8]
        today = fields.Date.today()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            company = env["res.company"].create({"name": f"Charges {tag}", "followup_interest_rate": 10.0})
            env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
            env = env(context={"allowed_company_ids": company.ids})
            levels = env["account.followup.level"].search([("company_id", "=", company.id)])
            level_second = levels.filtered(lambda level: level.delay == 35)
            level_notice = levels.filtered(lambda level: level.delay == 60)
            level_second.write({"charge_interest": True, "charge_compensation": True})
            level_notice.write({"charge_compensation": True})
            partner = env["res.partner"].create({"name": f"Late payer {tag}", "is_company": True})
            invoice = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": today - timedelta(days=36),
                    "invoice_line_ids": [
                        Command.create({"name": "Services", "quantity": 1, "price_unit": 1000, "tax_ids": []})
                    ],
                }
            )
            invoice.action_post()
            items = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            steps = env["account.followup.step"].create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "level_id": level.id,
                        "date": today,
                        "user_id": odoo.SUPERUSER_ID,
                        "move_line_ids": [Command.set(items.ids)],
                    }
                    for level in (level_second, level_notice)
                ]
            )
            self.company_id = company.id
            self.invoice_id = invoice.id
            self.step_ids = steps.ids

    def _run_workers(self, step_ids):
        """Create the charges invoice of these steps, one thread each, started
        together, each with its own cursor and transaction as Odoo workers."""
        barrier = threading.Barrier(len(step_ids))
        errors = []

        def worker(step_id):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, odoo.SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})
                    step = env["account.followup.step"].browse(step_id)
                    step.read(["charge_move_id"])  # the transaction's snapshot starts here
                    barrier.wait(timeout=30)
                    step._create_charges_invoice()
            except SimulatedCrash:
                errors.append("crash")
            except Exception as error:  # a worker that fails charges nothing, asserted below
                errors.append(type(error).__name__)

        threads = [threading.Thread(target=worker, args=(step_id,)) for step_id in step_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        return errors

    def _charges(self):
        """(charges invoices of each step, compensation lines of the invoice)"""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            per_step = [
                env["account.move"].search_count([("followup_step_id", "=", step_id)]) for step_id in self.step_ids
            ]
            compensations = env["account.move.line"].search_count(
                [("followup_charged_move_id", "=", self.invoice_id), ("followup_charge_type", "=", "compensation")]
            )
            return per_step, compensations

    def _contact(self):
        """The customer's "Last Updated on/by", which computing charges never touches."""
        with self.registry.cursor() as cr:
            cr.execute(
                """
                SELECT partner.write_date, partner.write_uid
                  FROM res_partner partner
                  JOIN account_move move ON move.partner_id = partner.id
                 WHERE move.id = %s
                """,
                [self.invoice_id],
            )
            return cr.fetchone()

    def _slowly(self):
        """Computing and creating the invoice takes time: both workers are in it at once."""
        prepare = AccountFollowupStep._prepare_charges_invoice_vals

        def slow_prepare(step, charges):
            time.sleep(0.3)
            return prepare(step, charges)

        return patch.object(AccountFollowupStep, "_prepare_charges_invoice_vals", slow_prepare)

    def test_two_workers_on_one_step_create_one_invoice(self):
        contact = self._contact()
        with self._slowly():
            errors = self._run_workers([self.step_ids[0], self.step_ids[0]])
        self.assertEqual(self._charges(), ([1, 0], 1))
        self.assertEqual(self._contact(), contact, "the customer's contact is not written")
        self.assertLessEqual(len(errors), 1, errors)
        self.assertEqual(set(errors) - {"SerializationFailure", "UniqueViolation"}, set(), errors)
        # and a re-run does nothing new
        self.assertEqual(self._run_workers([self.step_ids[0]]), [])
        self.assertEqual(self._charges(), ([1, 0], 1))

    def test_two_levels_at_once_charge_the_compensation_once(self):
        contact = self._contact()
        with self._slowly():
            errors = self._run_workers(self.step_ids)
        self.assertEqual(self._contact(), contact, "the customer's contact is not written")
        per_step, compensations = self._charges()
        self.assertEqual(compensations, 1, "the invoice's compensation is charged once")
        self.assertEqual(sum(per_step), 1, "the second level, which only charges the compensation, has nothing left")
        self.assertEqual(len(errors), 1, "the second worker failed instead of charging on stale data")

    def test_crash_after_creating_the_invoice_leaves_nothing(self):
        def crash(move):
            raise SimulatedCrash

        with patch.object(self.registry["account.move"], "action_post", crash):
            self.assertEqual(self._run_workers([self.step_ids[0]]), ["crash"])
        self.assertEqual(self._charges(), ([0, 0], 0), "nothing of the crashed transaction remains")
        self.assertEqual(self._run_workers([self.step_ids[0]]), [])
        self.assertEqual(self._charges(), ([1, 0], 1))
