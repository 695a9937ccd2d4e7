from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestPromises(FollowupCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.customer.followup_responsible_id = cls.accountant
        cls.move = cls._invoice(cls.customer, 100, "2026-01-01")  # due 2026-01-01

    def _activities(self, summary):
        return self.customer.activity_ids.filtered(lambda a: a.summary == summary)

    def _states(self):
        """States of the invoice's promises, the latest first."""
        return self.env["account.followup.promise"].search([("move_id", "=", self.move.id)]).mapped("state")

    def _promise(self, date, origin="user", move=None):
        return (move or self.move).with_user(self.accountant)._followup_promise(date, origin=origin)

    def test_person_records_a_promise(self):
        with freeze_time("2026-01-10"):
            promise = self._promise("2026-01-20")
            self.assertEqual(self.move.expected_payment_date, self.d("2026-01-20"))
            self.assertRecordValues(
                promise,
                [
                    {
                        "move_id": self.move.id,
                        "partner_id": self.customer.id,
                        "date": self.d("2026-01-20"),
                        "made_on": self.d("2026-01-10"),
                        "user_id": self.accountant.id,
                        "origin": "user",
                        "state": "open",
                        "amount": 100.0,
                    }
                ],
            )
            note = self.customer.message_ids[0]
            self.assertIn(f"Promise to pay {self.move.name}", str(note.body))
            self.assertIn("Anna Accountant", str(note.body))
            self.assertFalse(self._activities("Promise to pay"), "a person's own promise needs no activity")
            self.assertEqual(self.customer.followup_status, "with_overdue_invoices")
            # A new date replaces the pending promise.
            second = self._promise("2026-01-25")
            self.assertEqual(promise.state, "cancelled")
            self.assertEqual(second.state, "open")

    def test_customer_promise_is_limited_and_told_to_the_responsible(self):
        with freeze_time("2026-01-10"):
            with self.assertRaisesRegex(UserError, "within 30 days"):
                self._promise("2026-02-10", origin="customer")
            self.company.followup_promise_max_days = 10
            with self.assertRaisesRegex(UserError, "within 10 days"):
                self._promise("2026-01-21", origin="customer")
            with self.assertRaisesRegex(UserError, "today or a later date"):
                self._promise("2026-01-09", origin="customer")
            self.assertFalse(self.move.followup_promise_ids, "a refused promise leaves nothing")
            self.assertFalse(self.move.expected_payment_date)
            promise = self._promise("2026-01-20", origin="customer")
            self.assertEqual(promise.origin, "customer")
            activity = self._activities("Promise to pay")
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, self.accountant)
            self.assertIn("The customer promised to pay", str(activity.note))
            # A person is not limited.
            self._promise("2026-03-31")
            self.assertEqual(self.move.expected_payment_date, self.d("2026-03-31"))

    def test_paid_invoice_takes_no_promise(self):
        self._pay(self.move, 100, "2026-01-05")
        with freeze_time("2026-01-10"), self.assertRaisesRegex(UserError, "not an open customer invoice"):
            self._promise("2026-01-20")

    def test_broken_promise_resumes_the_follow_up_with_the_next_level(self):
        with freeze_time("2026-01-02"):
            self._run_cron()
            self.assertEqual(len(self._followup_mails(self.customer)), 1, "first reminder")
        with freeze_time("2026-01-10"):
            promise = self._promise("2026-01-20")
        with freeze_time("2026-01-16"):  # the call level is reached, but the date was promised
            self.env["account.followup.promise"]._cron_check_promises()
            self._run_cron()
            self.assertEqual(promise.state, "open")
            self.assertFalse(self.customer.activity_ids)
        with freeze_time("2026-01-21"):
            self.env["account.followup.promise"]._cron_check_promises()
            self.assertEqual(promise.state, "broken")
            self.assertEqual(promise.date_closed, self.d("2026-01-21"))
            broken = self._activities("Promise to pay broken")
            self.assertEqual(len(broken), 1)
            self.assertEqual(broken.user_id, self.accountant)
            self.assertIn(self.move.name, str(broken.note))
            self.assertTrue(self.customer.message_ids.filtered(lambda m: "Promise to pay broken" in str(m.body)))
            self._run_cron()
            call = self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_call)
            self.assertEqual(len(call), 1, "the follow-up resumes with the next level")
            self.assertEqual(len(self._followup_mails(self.customer)), 1, "no burst of e-mails")
            # The statements screen shows it.
            statement = (
                self.env["account.followup.statement"].with_user(self.accountant).get_statement(self.customer.id)
            )
            self.assertEqual([p["invoice"] for p in statement["broken_promises"]], [self.move.name])
            self.assertEqual(statement["promises_broken"], 1)
            # Judged once: the next day's check does nothing more.
            self.env["account.followup.promise"]._cron_check_promises()
            self.assertEqual(len(self._activities("Promise to pay broken")), 1)

    def test_promise_kept_when_paid_by_its_date(self):
        other = self._invoice(self.customer, 50, "2026-01-01")
        with freeze_time("2026-01-10"):
            kept = self._promise("2026-01-20")
            late = self._promise("2026-01-20", move=other)
        self._pay(self.move, 100, "2026-01-18")
        self._pay(other, 50, "2026-01-22")
        with freeze_time("2026-01-23"):
            self.env["account.followup.promise"]._cron_check_promises()
            self.assertEqual(kept.state, "kept")
            self.assertEqual(late.state, "broken", "paid, but after the promised date")
            self.assertFalse(self._activities("Promise to pay broken"), "nothing left to chase")
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.followup_promises_kept_count, 1)
            self.assertEqual(self.customer.followup_promises_broken_count, 1)

    def test_customer_may_promise_again_once(self):
        with freeze_time("2026-01-10"):
            self._promise("2026-01-20", origin="customer")
        with freeze_time("2026-01-22"):
            second = self._promise("2026-01-30", origin="customer")
            self.assertEqual(second.state, "open")
            self.assertEqual(self._states(), ["open", "broken"])
        with freeze_time("2026-02-02"):
            with self.assertRaisesRegex(UserError, "already promised twice"):
                self._promise("2026-02-10", origin="customer")
            self.assertEqual(self.move.expected_payment_date, self.d("2026-01-30"), "nothing changed")
            # A person who talked to the customer may still record a date.
            self._promise("2026-02-10")
            self.assertEqual(self.move.expected_payment_date, self.d("2026-02-10"))
            self.assertEqual(self._states(), ["open", "broken", "broken"])

    def test_two_broken_promises_suggest_a_bad_debtor(self):
        other = self._invoice(self.customer, 50, "2026-01-01")
        with freeze_time("2026-01-10"):
            self._promise("2026-01-20")
            self.customer.invalidate_recordset()
            self.assertFalse(self.customer.followup_suggested_trust)
        with freeze_time("2026-01-25"):
            self._promise("2026-02-01", move=other)
        with freeze_time("2026-02-02"):
            self.env["account.followup.promise"]._cron_check_promises()
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.followup_promises_broken_count, 2)
            self.assertEqual(self.customer.followup_suggested_trust, "bad")
            statement = (
                self.env["account.followup.statement"].with_user(self.accountant).get_statement(self.customer.id)
            )
            self.assertEqual(statement["suggested_trust"], "bad")
            self.assertEqual(self.customer.trust, "normal", "a person confirms")
            self.customer.with_user(self.accountant).action_followup_apply_suggested_trust()
            self.assertEqual(self.customer.trust, "bad")
            self.customer.invalidate_recordset()
            self.assertFalse(self.customer.followup_suggested_trust)
        with freeze_time("2026-06-01"):  # long ago: no more suggestion
            self.customer.trust = "normal"
            self.customer.invalidate_recordset()
            self.assertFalse(self.customer.followup_suggested_trust)

    def test_wizard_and_statements_screen_record_promises(self):
        with freeze_time("2026-01-10"):
            action = self.move.with_user(self.accountant).action_open_expected_payment_wizard()
            form = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
            form.expected_payment_date = "2026-01-25"
            form.note = "Called: pays on the 25th"
            form.save().action_apply()
            promise = self.move.followup_promise_ids
            self.assertEqual(promise.date, self.d("2026-01-25"))
            self.assertEqual(promise.user_id, self.accountant)
            screen = self.env["account.followup.statement"].with_user(self.accountant)
            screen.set_expected_date(self.move.id, "2026-01-28")
            self.assertEqual(self._states(), ["open", "cancelled"])
            screen.set_expected_date(self.move.id, False)
            self.assertFalse(self.move.expected_payment_date)
            self.assertEqual(self._states(), ["cancelled", "cancelled"])
            with self.assertRaisesRegex(UserError, "today or a later date"):
                screen.set_expected_date(self.move.id, "2026-01-01")
