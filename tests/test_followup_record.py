from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import FollowupCommon

DSN = """From: MAILER-DAEMON@mx.customer.example.com
To: accounts@company.example.com
Subject: Undelivered Mail Returned to Sender
Message-Id: <dsn-{seed}@mx.customer.example.com>
Date: Fri, 16 Jan 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

This is the mail system at host mx.customer.example.com.
Your message could not be delivered to one or more recipients.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.customer.example.com

Final-Recipient: rfc822; {email}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{email}>: Recipient address rejected: User unknown

--BOUNDARY
Content-Type: text/rfc822-headers

Message-Id: {message_id}
From: accounts@company.example.com
To: {email}
Subject: Payment reminder

--BOUNDARY--
"""


@tagged("post_install", "-at_install")
class TestFollowupRecord(FollowupCommon):
    """The record is what happened: who did a level, when its charges are
    invoiced, what became of its e-mails and letters."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.company.write({"followup_interest_rate": 10.0, "followup_compensation_amount": 40.0})
        # The 15-day call (for a person) and the 35-day level (e-mail + letter +
        # call, for a person) charge a fee.
        cls.level_call.write({"charge_fee": True, "fee_amount": 15.0})
        cls.level_second.write({"charge_fee": True, "fee_amount": 15.0})
        cls.customer.followup_responsible_id = cls.accountant
        cls.salesperson = new_test_user(
            cls.env, login="sam.sales", name="Sam Sales", groups="base.group_user,base.group_partner_manager"
        )

    def _charges(self, partner=None):
        partner = partner or self.customer
        return self.env["account.move"].search([("partner_id", "=", partner.id), ("followup_step_id", "!=", False)])

    def _step(self, partner=None):
        return self.env["account.followup.step"].search([("partner_id", "=", (partner or self.customer).id)])

    def _row(self, step, channel):
        return step.channel_ids.filtered(lambda row: row.channel == channel)

    def _fix_activities(self, partner=None):
        return (partner or self.customer).activity_ids.filtered(
            lambda a: a.summary and a.summary.startswith("Fix the follow-up data")
        )

    # ------------------------------------------------------------
    # CHARGES × A LEVEL DONE BY A PERSON (issue 20.1, 19.9)
    # ------------------------------------------------------------

    def test_charges_when_the_call_is_done_not_when_proposed(self):
        self._invoice(self.customer, 1000, "2026-01-01")
        with freeze_time("2026-01-16"):
            self._run_cron()
            step = self._step()
            self.assertEqual(step.state, "in_progress")
            self.assertFalse(self._charges(), "proposed to a person: nobody decided to charge yet")
            activity = self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_call)
            activity.with_user(self.accountant).action_feedback(feedback="Called, will pay")
            charges = self._charges()
            self.assertEqual(len(charges), 1, "charged when the person did the call")
            self.assertEqual(charges.amount_total, 15.0)
            self.assertEqual(charges.create_uid, self.accountant, "created by the person who did the level")
            self.assertEqual(step.charge_move_id, charges)
            self.assertIn("late-payment charges", str(self.customer.message_ids[0].body))
            # Done again from the statement, and the scheduled action again: nothing more.
            self.customer.with_user(self.accountant).action_followup_done()
            self._run_cron()
        self.assertEqual(len(self._charges()), 1, "once")

    def test_charges_when_done_from_the_statement(self):
        self._invoice(self.customer, 1000, "2026-01-01")
        with freeze_time("2026-01-16"):
            self._run_cron()
            self.assertFalse(self._charges())
            self.customer.with_user(self.accountant).action_followup_done()
            self.customer.with_user(self.accountant).action_followup_done()
            charges = self._charges()
            self.assertEqual(len(charges), 1)
            self.assertEqual(charges.create_uid, self.accountant)
            self.assertFalse(self.customer.activity_ids.filtered("followup_level_id"), "the call activity is closed")

    def test_charges_when_send_and_print_then_call_done_once(self):
        self._invoice(self.customer, 1000, "2026-01-01")
        with freeze_time("2026-02-06"):  # 36 days: e-mail + letter + call, for a person
            self._run_cron()
            self.assertFalse(self._charges(), "proposed, not done")
            wizard = (
                self.env["res.partner.followup.send"]
                .with_user(self.accountant)
                .with_context(default_partner_ids=self.customer.ids)
                .create({})
            )
            self._choose_channels(wizard, letter=False)
            wizard.action_send()
            charges = self._charges()
            self.assertEqual(len(charges), 1, "the person sent the level's reminder: charged")
            self.assertEqual(charges.create_uid, self.accountant)
            activity = self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_second)
            activity.with_user(self.accountant).action_feedback(feedback="Called")
        self.assertEqual(len(self._charges()), 1, "two paths, one charge")
        self.assertEqual(self._step().state, "in_progress", "the letter is still to print")

    def test_automatic_level_keeps_charging_when_executed(self):
        self.level_first.write({"charge_fee": True, "fee_amount": 5.0})
        self._invoice(self.customer, 1000, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
            self._run_cron()
        self.assertEqual(self._charges().mapped("amount_total"), [5.0])

    def test_a_person_without_invoicing_rights_cannot_charge(self):
        self.customer.followup_responsible_id = self.salesperson
        self._invoice(self.customer, 1000, "2026-01-01")
        with freeze_time("2026-01-16"):
            self._run_cron()
            activity = self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_call)
            self.assertEqual(activity.user_id, self.salesperson)
            with self.assertRaisesRegex(UserError, "only a user with invoicing rights"):
                activity.with_user(self.salesperson).action_feedback(feedback="Called")
        self.assertFalse(self._charges(), "no invoice created in superuser mode for someone who may not")

    def test_billing_users_create_steps_but_never_change_them(self):
        self._invoice(self.customer, 1000, "2026-01-01")
        with freeze_time("2026-01-16"):
            self.customer.with_user(self.accountant).action_followup_done()
        step = self._step()
        self.assertEqual(step.create_uid, self.accountant)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            step.with_user(self.accountant).write({"user_id": self.salesperson.id})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            step.channel_ids.with_user(self.accountant).write({"state": "skipped"})

    # ------------------------------------------------------------
    # WHO DID IT (issue 20.2)
    # ------------------------------------------------------------

    def test_a_call_done_by_a_person_is_theirs(self):
        self._invoice(self.customer, 1000, "2026-01-01")
        with freeze_time("2026-01-16"):
            self._run_cron()
            step = self._step()
            self.assertTrue(step.automatic, "proposed by the scheduled action")
            activity = self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_call)
            activity.with_user(self.accountant).action_feedback(feedback="Called")
            self.assertEqual(step.user_id, self.accountant, "not the scheduled action's user")
            self.assertFalse(step.automatic)
            history = (
                self.env["account.followup.statement"].with_user(self.accountant).get_statement(self.customer.id)
            )["history"]
            self.assertEqual(history[0]["user"], "Anna Accountant")

    def test_done_button_after_a_proposal_is_the_persons(self):
        self._invoice(self.customer, 1000, "2026-01-01")
        with freeze_time("2026-01-16"):
            self._run_cron()
            self.customer.with_user(self.accountant).action_followup_done()
        step = self._step()
        self.assertEqual((step.user_id, step.automatic), (self.accountant, False))

    # ------------------------------------------------------------
    # AN E-MAIL'S OUTCOME (issue 20.4)
    # ------------------------------------------------------------

    def test_email_sent_says_sent(self):
        self.level_call.charge_fee = False
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
            step = self._step()
            self.assertEqual(self._row(step, "email").state, "queued")
            self._followup_mails(self.customer).send()
        self.assertEqual(self._row(step, "email").state, "sent")
        self.assertIn("E-mail: Sent", step.channel_summary)
        self.assertFalse(self._fix_activities())

    def test_email_refused_says_failed_with_reason_and_asks_to_fix(self):
        customer = self._create_customer("Typo Ltd", "one@@customer")
        customer.followup_responsible_id = self.accountant
        self._invoice(customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
            step = self._step(customer)
            self.assertEqual(self._row(step, "email").state, "queued")
            self.assertFalse(self._fix_activities(customer))
            with mute_logger("odoo.addons.mail.models.mail_mail"):
                self._followup_mails(customer).send()
        email = self._row(step, "email")
        self.assertEqual(email.state, "failed")
        self.assertIn("Invalid email address", email.reason)
        self.assertIn("E-mail: Failed (", step.channel_summary)
        history = self.env["account.followup.statement"].with_user(self.accountant).get_statement(customer.id)
        self.assertIn("Invalid email address", history["history"][0]["outcome"])
        activity = self._fix_activities(customer)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.accountant)
        self.assertIn("Invalid email address", str(activity.note))

    def test_mail_server_down_retried_three_times_then_left_failed(self):
        """A reminder the mail server cannot take is queued again by the next
        three daily runs, then left failed: its action says so."""
        self.level_call.charge_fee = False
        server = type(self.env["ir.mail_server"])
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        step = self._step()
        email = self._row(step, "email")
        mail = self._followup_mails(self.customer)
        states = []
        for day in range(3, 8):
            with freeze_time(f"2026-01-0{day}"):
                if mail.state == "outgoing":
                    with (
                        patch.object(server, "connect", side_effect=ConnectionRefusedError("server down")),
                        mute_logger("odoo.addons.mail.models.mail_mail"),
                    ):
                        mail.send(raise_exception=False)
                self._run_cron()
                states.append(mail.state)
        self.assertEqual(states, ["outgoing", "outgoing", "outgoing", "exception", "exception"])
        self.assertEqual(email.retry_count, 3)
        self.assertEqual(email.state, "failed")
        self.assertEqual(email.reason, "mail server unreachable after 3 attempts to send it again")
        self.assertIn("mail server unreachable after 3 attempts", step.channel_summary)
        self.assertEqual(len(self._followup_mails(self.customer)), 1, "the step is not redone")

    def test_never_twice_reads_what_the_transaction_wrote(self):
        """The history and the items' levels are read by SQL with what this
        transaction changed and the ORM did not write yet."""
        followup = self.env["account.followup"]
        invoice = self._invoice(self.customer, 100, "2026-01-01")
        item = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        with freeze_time("2026-02-10"):  # 40 days late: the 35-day level is due
            situation = followup._get_situation(self.customer, self.company)
            self.assertEqual(situation.level, self.level_second)
            step = (
                self.env["account.followup.step"]
                .sudo()
                .create(
                    {
                        "partner_id": self.customer.id,
                        "company_id": self.company.id,
                        "level_id": self.level_call.id,
                        "date": "2026-01-20",
                        "user_id": self.accountant.id,
                        "move_line_ids": [Command.set(item.ids)],
                    }
                )
            )
            self.env.flush_all()
            self.assertFalse(followup._is_level_on_record(situation), "only the 15-day call was done")
            step.level_id = self.level_second  # not written to the database yet
            self.assertTrue(followup._is_level_on_record(situation), "the 35-day level is on record")
            # The 35-day level becomes a 45-day one (not written yet): the item
            # is 40 days late and reaches the 15-day call, not the 35-day level.
            self.level_second.delay = 45
            step.date = "2026-02-10"
            step._record_item_levels()
            self.assertEqual(item.followup_level_id, self.level_call)

    def test_email_bounce_says_bounced_and_asks_to_fix(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
            step = self._step()
            email = self._row(step, "email")
            self._followup_mails(self.customer).send()
            self.assertEqual(email.state, "sent")
            dsn = DSN.format(seed=1, email="one@customer.example.com", message_id=email.message_id.message_id)
            self.env["mail.thread"].message_process(None, dsn)
        self.assertEqual(email.state, "bounced")
        self.assertIn("one@customer.example.com", email.reason)
        self.assertIn("E-mail: Bounced", step.channel_summary)
        activity = self._fix_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.accountant)

    def test_posted_letter_follows_snailmail(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        letter_row = self._row(self._step(), "letter")
        if "snailmail.letter" not in self.env:
            self.skipTest("Snailmail is not installed")
        letter = self.env["snailmail.letter"].browse(letter_row.res_id)
        self.assertEqual(letter_row.state, "queued")
        # Snailmail refuses it: the address is incomplete for the post.
        letter._snailmail_print_invalid_address()
        self.assertEqual(letter_row.state, "failed")
        self.assertIn("Snailmail Missing Required Fields", letter_row.reason)
        self.assertTrue(self._fix_activities())

    # ------------------------------------------------------------
    # LETTERS: RECORDED ONCE, WHEN THEIR PDF EXISTS (issue 20.5)
    # ------------------------------------------------------------

    def _admin(self):
        """The administrator, in the test company, whose document layout was never configured."""
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [(4, self.company.id)], "company_id": self.company.id})
        self.company.external_report_layout_id = False
        return admin

    def test_print_letter_gives_the_pdf_and_records_it_once(self):
        admin = self._admin()
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-02-06"):  # 36 days: e-mail + letter + call, for a person
            self._run_cron()
            step = self._step()
            action = self.customer.with_user(admin).action_followup_print_letter()
            self.assertEqual(action["type"], "ir.actions.act_url", "the PDF, not the document layout dialog")
            attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
            self.assertTrue(attachment.raw, "the letter was produced")
            self.assertIn("Customer One", attachment.raw.decode())
            letter = self._row(step, "letter")
            self.assertEqual((letter.state, letter.res_model, letter.res_id), ("sent", "ir.attachment", attachment.id))
            self.customer.with_user(admin).action_followup_print_letter()
            self.customer.with_user(self.accountant).action_followup_print_letter()
        self.assertEqual(len(self._row(step, "letter")), 1, "a copy is not a second letter")

    def test_send_and_print_a_letter_twice_records_one_letter(self):
        admin = self._admin()
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-02-06"):
            self._run_cron()
            for user in (admin, self.accountant):
                wizard = (
                    self.env["res.partner.followup.send"]
                    .with_user(user)
                    .with_context(default_partner_ids=self.customer.ids)
                    .create({})
                )
                self._choose_channels(wizard, email=False, letter=True)
                action = wizard.action_send()
                self.assertEqual(action["tag"], "display_notification")
                self.assertEqual(action["params"]["message"], "1 letter printed.")
                self.assertEqual(action["params"]["next"]["type"], "ir.actions.act_url", "the PDF to download")
        letters = self._row(self._step(), "letter")
        self.assertEqual(letters.mapped("state"), ["sent"])

    # ------------------------------------------------------------
    # SEND & PRINT SAYS WHAT HAPPENED (issue 20.11)
    # ------------------------------------------------------------

    def test_send_and_print_ends_with_what_happened(self):
        homeless = self._create_customer("Homeless Ltd", "homeless@customer.example.com", street=False)
        other = self._create_customer("Other Ltd", "other@customer.example.com")
        for partner in (self.customer, homeless, other):
            self._invoice(partner, 100, "2026-01-01")
        with freeze_time("2026-01-10"):
            wizard = (
                self.env["res.partner.followup.send"]
                .with_user(self.accountant)
                .with_context(default_partner_ids=(self.customer | homeless | other).ids)
                .create({})
            )
            self._choose_channels(wizard, email=True, letter=True)
            self.assertIn("Homeless Ltd has no complete postal address", wizard.warnings)
            action = wizard.action_send()
        self.assertEqual(
            action["params"]["message"],
            "3 e-mails queued, 2 letters printed, 1 skipped: the customer has no complete postal address "
            "(Homeless Ltd).",
        )
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(action["params"]["next"]["type"], "ir.actions.act_url")

    def test_send_and_print_to_one_customer_says_the_email_was_sent(self):
        """One customer's e-mail goes out at once: the summary says "sent", as
        the step does, not "queued"."""
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-10"):
            wizard = (
                self.env["res.partner.followup.send"]
                .with_user(self.accountant)
                .with_context(default_partner_ids=self.customer.ids)
                .create({})
            )
            self._choose_channels(wizard, email=True, letter=False, sms=False)
            action = wizard.action_send()
        self.assertEqual(self._row(self._step(), "email").state, "sent")
        self.assertEqual(action["params"]["message"], "1 e-mail sent.")

    def test_send_and_print_warns_before_an_sms_to_a_fixed_line(self):
        landline = self._create_customer("Landline Ltd", "landline@customer.example.com", mobile="+32 2 234 56 78")
        self._invoice(landline, 100, "2026-01-01")
        with freeze_time("2026-01-10"):
            wizard = (
                self.env["res.partner.followup.send"]
                .with_user(self.accountant)
                .with_context(default_partner_ids=(landline | self.customer).ids)
                .create({})
            )
            self._choose_channels(wizard, sms=True)
            self.assertIn("Landline Ltd: +32 2 234 56 78 is not a mobile number", wizard.warnings)
            self.assertNotIn("Customer One", wizard.warnings, "+32 470 ... is a mobile")

    # ------------------------------------------------------------
    # WHAT WAS DONE LAST, WHAT COMES NEXT (issue 20.6)
    # ------------------------------------------------------------

    def _statement(self, partner=None):
        self.env.invalidate_all()  # a new request: the customer's computed situation is read afresh
        return (
            self.env["account.followup.statement"]
            .with_user(self.accountant)
            .get_statement((partner or self.customer).id)
        )

    def test_statement_says_what_was_done_and_what_comes_next_after_a_promise(self):
        move = self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
            statement = self._statement()
            # the day the first reminder went out
            self.assertEqual(
                statement["last_followup"],
                {
                    "id": self._step().id,
                    "level": "First reminder",
                    "date": "01/02/2026",
                    "user": "the scheduled action",
                    "in_progress": False,
                },
            )
            self.assertEqual((statement["next_date"], statement["next_level"]), ("01/16/2026", "Call the customer"))
        with freeze_time("2026-01-10"):
            move.with_user(self.accountant)._followup_promise(self.d("2026-01-25"), origin="user")
            statement = self._statement()
            self.assertFalse(statement["level"], "no item is chased until the promised date: no level reached")
            self.assertEqual(statement["last_followup"]["level"], "First reminder")
            self.assertEqual((statement["next_date"], statement["next_level"]), ("01/25/2026", "Call the customer"))

    def test_statement_after_a_snooze_and_a_call_done_by_a_person(self):
        self.level_call.charge_fee = False  # its charges invoice would be chased on its own
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-16"):
            self._run_cron()
            self.customer.with_user(self.accountant).action_followup_done()
            self.env["res.partner.followup.note"].with_user(self.accountant).create(
                {"partner_id": self.customer.id, "note": "On holiday", "postpone": "1m"}
            ).action_apply()
            statement = self._statement()
        self.assertEqual(statement["last_followup"]["level"], "Call the customer")
        self.assertEqual(statement["last_followup"]["user"], "Anna Accountant")
        self.assertEqual(statement["next_date"], "02/16/2026")
        self.assertEqual(statement["next_level"], "Second reminder", "46 days late by then: the 35-day level")

    def test_scheduled_action_runs_with_its_users_rights(self):
        """A company may run the scheduled action as a billing user: steps and
        charges are created with that user's rights, no superuser needed."""
        self.level_first.write({"charge_fee": True, "fee_amount": 5.0})
        self._invoice(self.customer, 1000, "2026-01-01")
        with freeze_time("2026-01-02"):
            self.env["res.partner"].with_user(self.accountant)._cron_execute_followups()
        step = self._step()
        self.assertEqual((step.create_uid, step.user_id, step.automatic), (self.accountant, self.accountant, True))
        self.assertEqual(self._charges().create_uid, self.accountant)
        self.assertEqual(self._statement()["history"][0]["user"], "the scheduled action")

    def test_sms_follows_the_provider(self):
        other = self._create_customer("Other Ltd", "other@customer.example.com", mobile="+32 470 65 43 21")
        for partner in (self.customer, other):
            self._invoice(partner, 100, "2026-01-01")
        with freeze_time("2026-01-16"):
            self._run_cron()  # the call, proposed: a step in progress for each
            wizard = (
                self.env["res.partner.followup.send"]
                .with_user(self.accountant)
                .with_context(default_partner_ids=(self.customer | other).ids)
                .create({})
            )
            self._choose_channels(wizard, email=False, sms=True)
            wizard.action_send()
            sms_row = self._row(self._step(), "sms")
            self.assertEqual(sms_row.state, "queued", "several customers: the SMS wait in the queue")
            sms = self.env["sms.sms"].search([("number", "=", "+32470123456")])
            with mute_logger("odoo.addons.sms.models.sms_sms"):
                sms.send(unlink_failed=False)  # no SMS provider in tests: the provider is unreachable
        self.assertEqual(sms_row.state, "failed")
        self.assertTrue(sms_row.reason)
        self.assertIn("SMS: Failed (", self._step().channel_summary)
        # The provider could not be reached: the company's account, not the
        # customer's number, so nobody is asked to fix the customer's data.
        self.assertFalse(self._fix_activities())
