from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.account_payment_followup.models.account_followup_execution import AccountFollowup

from .common import FollowupCommon


class SimulatedCrash(BaseException):
    """A worker killed in the middle of a batch (not an error the run handles)."""


@tagged("post_install", "-at_install")
class TestFollowupCron(FollowupCommon):
    def test_reminder_before_due_date_is_emailed_once(self):
        move = self._invoice(self.customer, 100, "2026-01-01", term=self.term_30)  # due 2026-01-31
        with freeze_time("2026-01-28"):
            self._run_cron()
            mails = self._followup_mails(self.customer)
            self.assertEqual(len(mails), 1)
            self.assertIn(move.name, str(mails.body_html))
            self.assertIn("Upcoming payment", mails.subject)
            self.assertEqual(mails.recipient_ids, self.customer)
            receivable = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            self.assertEqual(receivable.followup_level_id, self.level_before)
            notes = self.customer.message_ids.filtered(lambda m: "Reminder before the due date" in str(m.body))
            self.assertEqual(len(notes), 1)
            self.assertIn("one@customer.example.com", str(notes.body))
            # Re-running the same day sends nothing new.
            self._run_cron()
            self.assertEqual(len(self._followup_mails(self.customer)), 1)
        with freeze_time("2026-01-30"):
            self._run_cron()
            self.assertEqual(len(self._followup_mails(self.customer)), 1, "no level between -3 and +1")
        with freeze_time("2026-02-01"):
            self._run_cron()
            mails = self._followup_mails(self.customer)
            self.assertEqual(len(mails), 2)
            self.assertEqual(len(self._letters(self.customer)), 1, "first reminder: a letter")
            self.assertEqual(receivable.followup_level_id, self.level_first)
            self.assertEqual(self.customer.followup_next_action_date, self.d("2026-02-15"))

    def test_email_goes_to_invoice_contacts(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Billing Dept",
                "type": "invoice",
                "parent_id": self.customer.id,
                "email": "billing@customer.example.com",
            }
        )
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        mail = self.env["mail.mail"].search([("recipient_ids", "in", contact.ids)])
        self.assertEqual(len(mail), 1)
        self.assertNotIn(self.customer, mail.recipient_ids)

    def test_letter_of_a_level_done_by_a_person_waits_to_be_printed(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-02-06"):
            followup = self.env["account.followup"]
            situation = followup._get_situation(self.customer, self.company)
            self.assertEqual(situation.level, self.level_second)
            outcomes = followup._run_channels(situation)
            step = followup._record_step(situation, outcomes)
        self.assertIn("letter waiting to be printed", [outcome.note for _channel, outcome in outcomes])
        letter = step.channel_ids.filtered(lambda c: c.channel == "letter")
        self.assertEqual(letter.state, "to_do", "the level waits for the letter to be printed")
        self.assertEqual(step.state, "in_progress")
        self.assertTrue(self.customer.followup_letter_to_print)
        self.assertFalse(self._letters(self.customer))

    def test_manual_level_becomes_an_activity_for_the_responsible(self):
        self.customer.followup_responsible_id = self.accountant
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-16"):
            self._run_cron()
            self._run_cron()
            activities = self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_call)
            self.assertEqual(len(activities), 1)
            self.assertEqual(activities.user_id, self.accountant)
            self.assertFalse(self._followup_mails(self.customer), "the 15-day level is for a person")
            self.assertEqual(self.customer.followup_status, "in_need_of_action")
            # The person calls and marks the activity done: the level is executed.
            activities.action_feedback(feedback="Called, will pay")
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.followup_status, "with_overdue_invoices")
            self._run_cron()
            self.assertFalse(self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_call))

    def _assigned_to_you(self, partner, user):
        """The "assigned to you" messages Odoo sends the responsible of an activity."""
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("message_type", "=", "user_notification"),
                ("partner_ids", "in", user.partner_id.ids),
            ]
        )

    def test_responsible_is_told_of_a_proposed_level_once_after_the_batch(self):
        """The scheduled action proposes the call to the responsible; the
        "assigned to you" e-mail Odoo sends for an activity is rendered after
        the batch (not inside the customer's follow-up), once, with the same
        subject and the activity's deadline, queued to the responsible."""
        self.customer.followup_responsible_id = self.accountant
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-16"):
            followup = self.env["account.followup"]
            followup._execute_followups(self.company, today=self.d("2026-01-16"))
            activity = self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_call)
            self.assertEqual(activity.user_id, self.accountant)
            self.assertTrue(activity.followup_notify_pending, "the e-mail is still to be sent after the batch")
            self.assertFalse(self._assigned_to_you(self.customer, self.accountant))

            self._run_cron()  # its batches (nothing more is due), then the notifications
            message = self._assigned_to_you(self.customer, self.accountant)
            self.assertEqual(len(message), 1)
            self.assertEqual(message.subject, f'"{self.customer.name}: {self.level_call.name}" assigned to you')
            self.assertIn(activity.date_deadline.strftime("%m/%d/%Y"), str(message.mail_ids.body_html))
            self.assertEqual(message.mail_ids.recipient_ids, self.accountant.partner_id)
            self.assertEqual(message.mail_ids.state, "outgoing", "queued, not sent inside the run")
            self.assertFalse(activity.followup_notify_pending)

            self._run_cron()
            self.assertEqual(len(self._assigned_to_you(self.customer, self.accountant)), 1, "told once")

    def test_a_level_a_person_proposes_tells_the_responsible_at_once(self):
        """Outside the scheduled action (a person proposing the level from the
        screens), Odoo tells the responsible at once, as for any activity."""
        self.customer.followup_responsible_id = self.accountant
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-16"):
            followup = self.env["account.followup"]
            situation = followup._get_situation(self.customer, self.company)
            self.assertEqual(situation.level, self.level_call)
            manual = [channel for channel in followup._get_channels() if channel.for_person]
            followup._record_step(situation, followup._run_channels(situation, manual))
        activity = self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_call)
        self.assertFalse(activity.followup_notify_pending)
        self.assertEqual(len(self._assigned_to_you(self.customer, self.accountant)), 1)

    def test_a_step_of_the_scheduled_action_has_its_payment_figures(self):
        """Created with the figures the batch read (not computed after): what
        its items still owed on the day, then what was paid after it."""
        move = self._invoice(self.customer, 300, "2026-01-01")
        self._pay(move, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        step = self.env["account.followup.step"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(step.level_id, self.level_first)
        self.assertEqual(step.amount_concerned, 200, "100 of 300 paid before the step")
        self.assertEqual((step.paid_7, step.paid_since, step.paid_date), (0, 0, False))
        self._pay(move, 200, "2026-01-05")
        self.assertEqual((step.paid_7, step.paid_since), (200, 200))
        self.assertEqual(step.paid_date, self.d("2026-01-05"))

    def test_responsible_falls_back_to_salesperson_then_company_default(self):
        salesperson = self.accountant.copy({"login": "sales.followup", "name": "Sam Sales"})
        self.customer.user_id = salesperson
        other = self._create_customer("Other", "other@example.com")
        self.company.followup_default_responsible_id = self.accountant
        self._invoice(self.customer, 100, "2026-01-01")
        self._invoice(other, 100, "2026-01-01")
        with freeze_time("2026-01-16"):
            self._run_cron()
        self.assertEqual(self.customer.activity_ids.user_id, salesperson)
        self.assertEqual(other.activity_ids.user_id, self.accountant)

    def test_already_late_customer_gets_no_burst(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-02-10"):  # 40 days late when the plan starts
            self._run_cron()
            self.assertFalse(self._followup_mails(self.customer), "no burst of earlier e-mails")
            activities = self.customer.activity_ids
            self.assertEqual(activities.followup_level_id, self.level_second)

    def test_disabled_company_is_not_processed(self):
        self.company.payment_followup_enabled = False
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        self.assertFalse(self._followup_mails(self.customer))

    def test_one_company_failing_never_stops_the_others(self):
        """Company A's plan holds a level no date can be computed with
        (written by SQL, past the constraint): A's run fails and is logged,
        company B's reminders go out all the same (issue 19.8)."""
        company_b = self.company_data_2["company"]
        company_b.write({"payment_followup_enabled": True, "email": "accounts@b.example.com"})
        customer_b = self._create_customer("B Customer", "b@customer.example.com", company_id=company_b.id)
        self._invoice(customer_b, 100, "2026-01-01", company=company_b)
        self._invoice(self.customer, 100, "2026-01-01")
        not_due = self._create_customer("Not Due", "not.due@example.com")
        self._invoice(not_due, 100, "2026-01-01", term=self.term_30)
        companies = self.env["res.company"].search([("payment_followup_enabled", "=", True)])
        self.assertEqual(companies[:1], self.company, "company A is processed first")
        self.env.flush_all()
        # Three million days before the due date: before the year 1.
        self.env.cr.execute("UPDATE account_followup_level SET delay = -3000000 WHERE id = %s", [self.level_before.id])
        self.env.invalidate_all()
        with freeze_time("2026-01-02"):
            with self.assertLogs(
                "odoo.addons.account_payment_followup.models.res_partner_followup_cron", "ERROR"
            ) as logs:
                self._run_cron()
            self.assertIn(f"company {self.company.name} (id {self.company.id}) failed", logs.output[0])
            self.assertEqual(len(self._followup_mails(customer_b)), 1, "company B's reminder went out")
            self.assertFalse(self._followup_mails(self.customer))

    def test_manual_mode_waits_for_the_planned_date(self):
        self._invoice(self.customer, 100, "2026-01-01")
        self.customer.write({"followup_reminder_type": "manual", "followup_planned_date": "2026-01-20"})
        with freeze_time("2026-01-02"):
            self._run_cron()
            self.assertFalse(self._followup_mails(self.customer))
            self.assertEqual(self.customer.followup_status, "with_overdue_invoices")
        with freeze_time("2026-01-20"):
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.followup_status, "in_need_of_action")
            self.assertIn(
                self.customer, self.env["res.partner"].search([("followup_status", "=", "in_need_of_action")])
            )
            self.customer.action_followup_back_to_automatic()
            self.assertEqual(self.customer.followup_reminder_type, "automatic")
            self._run_cron()
            self.assertFalse(self._followup_mails(self.customer), "20 days late: the call level, no e-mail")

    def test_customer_without_email_is_skipped_and_reported(self):
        no_mail = self._create_customer("No Mail", email=False)
        self._invoice(no_mail, 100, "2026-01-01")
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        self.assertEqual(len(self._followup_mails(self.customer)), 1, "the others are processed")
        log = no_mail.message_ids.filtered(lambda m: "no e-mail address" in str(m.body))
        self.assertEqual(len(log), 1)
        todo = no_mail.activity_ids.filtered(lambda a: "no e-mail address" in str(a.note))
        self.assertEqual(len(todo), 1)
        self.assertEqual(len(self._letters(no_mail)), 1, "the letter of that level is still done")

    def test_customer_without_address_gets_no_letter(self):
        no_address = self._create_customer("No Address", "noaddr@example.com", street=False, city=False)
        self._invoice(no_address, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        self.assertFalse(self._letters(no_address))
        self.assertEqual(len(self._followup_mails(no_address)), 1)
        self.assertTrue(no_address.message_ids.filtered(lambda m: "no complete postal address" in str(m.body)))
        self.assertTrue(no_address.activity_ids.filtered(lambda a: "postal address" in str(a.note)))

    def test_broken_template_skips_that_customer_only(self):
        self.level_first.mail_template_id = self.level_first.mail_template_id.copy(
            {"body_html": '<p t-out="object.no_such_field.name"/>'}
        )
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        self.assertFalse(self._followup_mails(self.customer))
        self.assertTrue(self.customer.message_ids.filtered(lambda m: "Skipped: e-mail" in str(m.body)))
        self.assertTrue(self.customer.activity_ids)
        # The e-mail failed after the channels began without savepoints of their
        # own: the customer was rolled back and done again, each channel in its
        # savepoint. One step, the e-mail failed beside the letter, logged once.
        step = self.env["account.followup.step"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(step), 1)
        self.assertEqual(
            sorted(step.channel_ids.mapped(lambda c: (c.channel, c.state))),
            [("email", "failed"), ("letter", "queued")],
        )
        logs = self.customer.message_ids.filtered(lambda m: "Skipped: e-mail" in str(m.body))
        self.assertEqual(len(logs), 1)
        self.assertEqual(len(self.customer.activity_ids), 1, "one request to fix the data")

    def test_sms_to_a_valid_number_only(self):
        self.level_first.write(
            {"send_sms": True, "sms_template_id": self.env.ref("account_payment_followup.sms_template_followup").id}
        )
        bad_phone = self._create_customer("Bad Phone", "bad@example.com", mobile="12", phone=False)
        self._invoice(self.customer, 100, "2026-01-01")
        self._invoice(bad_phone, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        sms = self.env["sms.sms"].search([("number", "=", "+32470123456")])
        self.assertEqual(len(sms), 1)
        self.assertIn("overdue", sms.body)
        self.assertTrue(bad_phone.message_ids.filtered(lambda m: "no valid mobile number" in str(m.body)))

    def test_crash_in_the_middle_of_a_batch_loses_and_repeats_nothing(self):
        customers = self.customer | self._create_customer("Two", "two@example.com")
        customers |= self._create_customer("Three", "three@example.com")
        for customer in customers:
            self._invoice(customer, 100, "2026-01-01")
        original = AccountFollowup._execute_situation
        calls = []

        def crash_on_second(followup, situation, **kwargs):
            calls.append(situation.partner.id)
            if len(calls) == 2:
                raise SimulatedCrash
            return original(followup, situation, **kwargs)

        with freeze_time("2026-01-02"):
            # Not assertRaises: Odoo's rolls back what happened inside it.
            crashed = False
            with patch.object(AccountFollowup, "_execute_situation", crash_on_second):
                try:
                    self._run_cron()
                except SimulatedCrash:
                    crashed = True
            self.assertTrue(crashed)
            sent = customers.filtered(lambda c: self._followup_mails(c))
            self.assertEqual(len(sent), 1, "the first customer was done before the crash")
            self._run_cron()
            self._run_cron()
            for customer in customers:
                self.assertEqual(len(self._followup_mails(customer)), 1, customer.name)

    def test_batches_continue_where_they_stopped(self):
        customers = self.customer | self._create_customer("Two", "two@example.com")
        for customer in customers:
            self._invoice(customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            remaining = self.env["account.followup"]._execute_followups(self.company, batch_size=1)
            self.assertTrue(remaining)
            self.assertEqual(len(customers.filtered(self._followup_mails)), 1)
            remaining = self.env["account.followup"]._execute_followups(self.company, batch_size=1)
            self.assertFalse(remaining)
            self.assertEqual(len(customers.filtered(self._followup_mails)), 2)

    def test_queries_per_customer_do_not_grow_with_its_invoices(self):
        small = self._create_customer("Small", "small@example.com")
        big = self._create_customer("Big", "big@example.com")
        self._invoice(small, 100, "2026-01-10")
        for day in range(10, 22):
            self._invoice(big, 10, f"2026-01-{day:02d}")
        followup = self.env["account.followup"]
        self.level_first.send_letter = False
        with freeze_time("2026-01-22"):
            # warm the caches on a third customer
            warm = self._create_customer("Warm", "warm@example.com")
            self._invoice(warm, 5, "2026-01-10")
            followup._execute_partner(warm, self.company, self.d("2026-01-22"))
            self.env.flush_all()
            self.env.invalidate_all()
            count_before = self.cr.sql_log_count
            followup._execute_partner(small, self.company, self.d("2026-01-22"))
            self.env.flush_all()
            small_queries = self.cr.sql_log_count - count_before
            self.env.invalidate_all()
            with self.assertQueryCount(small_queries):
                followup._execute_partner(big, self.company, self.d("2026-01-22"))
                self.env.flush_all()
        self.assertEqual(len(self._followup_mails(big)), 1)
