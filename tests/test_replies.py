from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common import FollowupCommon
from .common_rpc import FollowupRpcCommon

REPLY = """From: {sender}
To: {to}
Subject: Re: {subject}
Message-ID: <{reply_id}@customer.example.com>
In-Reply-To: {parent}
References: {references}
Date: Wed, 14 Jan 2026 09:12:00 +0100
{headers}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Hello,

We paid this invoice last Friday, please check the transfer.

Regards,
Customer One
"""


@tagged("post_install", "-at_install")
class TestReplies(FollowupCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.customer.followup_responsible_id = cls.accountant
        cls.move = cls._invoice(cls.customer, 100, "2026-01-01")  # due 2026-01-01
        cls.reminder_subtype = cls.env.ref("account_payment_followup.mt_followup")

    def _reminder(self):
        return self.customer.message_ids.filtered(lambda m: m.subtype_id == self.reminder_subtype)

    def _receive_reply(
        self, parent, reply_id="reply-1", headers="", sender="Customer One <one@customer.example.com>", references=None
    ):
        """Feed a real RFC 822 e-mail to Odoo's mail gateway, as fetchmail does."""
        raw = REPLY.format(
            sender=sender,
            to=self.company.email,
            subject=parent.subject or "Payment reminder",
            reply_id=reply_id,
            parent=parent.message_id,
            references=references or parent.message_id,
            headers="".join(f"{header}\n" for header in headers.splitlines() if header),
        )
        return self.env["mail.thread"].message_process(None, raw.encode())

    def _replied_activity(self):
        return self.customer.activity_ids.filtered(lambda a: a.summary == "Customer replied")

    def test_reply_to_a_reminder_pauses_the_automated_reminders(self):
        with freeze_time("2026-01-02"):
            self._run_cron()
            reminder = self._reminder()
            self.assertEqual(len(reminder), 1)
        with freeze_time("2026-01-14"):
            thread_id = self._receive_reply(reminder)
            self.assertEqual(thread_id, self.customer.id, "the gateway routes the reply to the customer")
            reply = self.customer.message_ids.filtered(lambda m: "last Friday" in str(m.body))
            self.assertEqual(len(reply), 1)
            self.assertEqual(reply.parent_id, reminder)
            self.assertEqual(self.customer.followup_paused_until, self.d("2026-01-21"))
            activity = self._replied_activity()
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, self.accountant)
            self.assertIn("We paid this invoice last Friday", str(activity.note))
            self.assertTrue(
                self.customer.message_ids.filtered(lambda m: "reminders paused until" in str(m.body)),
                "the chatter tells it",
            )
            screen = self.env["account.followup.statement"].with_user(self.accountant).get_statement(self.customer.id)
            self.assertTrue(screen["replied"])
            self.assertTrue(screen["paused_until"])
        with freeze_time("2026-01-16"):  # the call level is due, but the customer replied
            self._run_cron()
            self.assertFalse(self.customer.activity_ids.filtered("followup_level_id"))
        with freeze_time("2026-01-21"):  # the pause is over
            self._run_cron()
            call = self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_call)
            self.assertEqual(len(call), 1)

    def test_a_person_resumes_at_once(self):
        with freeze_time("2026-01-02"):
            self._run_cron()
        with freeze_time("2026-01-16"):  # the call level is due
            self._receive_reply(self._reminder())
            self._run_cron()
            self.assertFalse(self.customer.activity_ids.filtered("followup_level_id"))
            self.customer.with_user(self.accountant).action_followup_resume()
            self.assertFalse(self.customer.followup_paused_until)
            self.assertIn("resumed", str(self.customer.message_ids[0].body))
            self._run_cron()
            call = self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_call)
            self.assertEqual(len(call), 1)

    def test_reply_to_a_reply_of_the_reminder_counts_too(self):
        with freeze_time("2026-01-02"):
            self._run_cron()
        with freeze_time("2026-01-05"):
            answer = self.customer.message_post(
                body="We will check.",
                parent_id=self._reminder().id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            self._receive_reply(answer)
            self.assertEqual(self.customer.followup_paused_until, self.d("2026-01-12"))

    def test_reply_to_another_message_changes_nothing(self):
        with freeze_time("2026-01-05"):
            other = self.customer.message_post(
                body="Your new catalogue", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            self._receive_reply(other)
            self.assertTrue(self.customer.message_ids.filtered(lambda m: "last Friday" in str(m.body)))
            self.assertFalse(self.customer.followup_paused_until)
            self.assertFalse(self._replied_activity())

    def test_no_pause_when_the_company_wants_none(self):
        self.company.followup_reply_pause_days = 0
        with freeze_time("2026-01-02"):
            self._run_cron()
        with freeze_time("2026-01-14"):
            self._receive_reply(self._reminder())
            self.assertFalse(self.customer.followup_paused_until)
            self.assertEqual(len(self._replied_activity()), 1, "the responsible is told all the same")

    def test_automatic_replies_pause_nothing(self):
        """Out-of-office answers, mass mailings and bounces are no answer of the
        customer: they stay in the chatter and change nothing."""
        with freeze_time("2026-01-02"):
            self._run_cron()
        reminder = self._reminder()
        automatic = {
            "Auto-Submitted: auto-replied": "auto-submitted",
            "Auto-Submitted: auto-generated": "auto-generated",
            "X-Autoreply: yes": "x-autoreply",
            "Precedence: auto_reply": "precedence-auto-reply",
            "Precedence: bulk": "precedence-bulk",
            "Precedence: junk": "precedence-junk",
        }
        with freeze_time("2026-01-05"):
            for header, reply_id in automatic.items():
                with self.subTest(header=header):
                    self._receive_reply(reminder, reply_id=reply_id, headers=header)
                    posted = self.customer.message_ids.filtered(lambda m, r=reply_id: r in (m.message_id or ""))
                    self.assertEqual(len(posted), 1, "the automatic reply is in the chatter all the same")
            # What Odoo's gateway treats as a bounce: from the mailer daemon.
            self._receive_reply(
                reminder, reply_id="bounce", sender="MAILER-DAEMON <mailer-daemon@customer.example.com>"
            )
            self.assertFalse(self.customer.followup_paused_until)
            self.assertFalse(self._replied_activity())
            self.assertFalse(self.customer.message_ids.filtered(lambda m: "reminders paused" in str(m.body)))
            # A person's answer still pauses: "Auto-Submitted: no" is a person's.
            self._receive_reply(reminder, reply_id="person", headers="Auto-Submitted: no")
            self.assertEqual(self.customer.followup_paused_until, self.d("2026-01-12"))
            self.assertEqual(len(self._replied_activity()), 1)

    def test_reply_landing_on_another_customer_pauses_nothing(self):
        """An e-mail that answers customer One's reminder but lands on another
        customer's chatter (its References point there) pauses neither."""
        other = self._create_customer("Customer Two", "two@customer.example.com")
        with freeze_time("2026-01-02"):
            self._run_cron()
            note = other.message_post(body="Hello", message_type="comment", subtype_xmlid="mail.mt_comment")
        with freeze_time("2026-01-05"):
            thread_id = self._receive_reply(self._reminder(), references=note.message_id)
            self.assertEqual(thread_id, other.id, "routed by its References")
            self.assertFalse(other.followup_paused_until)
            self.assertFalse(self.customer.followup_paused_until)
            self.assertFalse(other.activity_ids.filtered(lambda a: a.summary == "Customer replied"))
            self.assertFalse(self._replied_activity())


@tagged("post_install", "-at_install")
class TestRepliesOverRpc(FollowupRpcCommon):
    """Nobody pauses a customer's reminders by calling a method: only an
    e-mail received by the mail gateway does."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        today = fields.Date.today()
        cls.customer.followup_responsible_id = cls.accountant
        cls.other = cls._create_customer("Other Customer", "other@example.com")
        for customer in (cls.customer, cls.other):
            cls._invoice(customer, 100, today - timedelta(days=2))
        cls.env["res.partner"]._cron_execute_followups()
        subtype = cls.env.ref("account_payment_followup.mt_followup")
        cls.reminder = cls.customer.message_ids.filtered(lambda m: m.subtype_id == subtype)
        cls.other_reminder = cls.other.message_ids.filtered(lambda m: m.subtype_id == subtype)
        company = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        new_test_user(cls.env, login="employee.rpc", groups="base.group_user", **company)
        new_test_user(cls.env, login="contacts.rpc", groups="base.group_user,base.group_partner_manager", **company)
        contact = cls.env["res.partner"].create(
            {"name": "Olga Other", "parent_id": cls.other.id, "email": "olga@example.com"}
        )
        new_test_user(cls.env, login="portal.rpc", groups="base.group_portal", partner_id=contact.id)

    def _replied(self, customer):
        self.env.invalidate_all()
        return customer.followup_paused_until, customer.activity_ids.filtered(lambda a: a.summary == "Customer replied")

    def test_employee_calling_message_update_pauses_nothing(self):
        self.assertEqual(len(self.reminder), 1)
        msg_dict = {
            "parent_id": self.reminder.id,
            "message_type": "email",
            "email_from": "one@customer.example.com",
            "body": "<p>We dispute everything, stop writing.</p>",
        }
        for login in ("employee.rpc", "contacts.rpc"):
            with self.subTest(login=login):
                self._rpc_error(login, "res.partner", "message_update", [self.customer.id], msg_dict)
                self.assertEqual(self._replied(self.customer), (False, self.env["mail.activity"]))
        # Posting an "e-mail" answer on the customer (a contact editor may post
        # on contacts) is not receiving one either.
        self._rpc(
            "contacts.rpc",
            "res.partner",
            "message_post",
            [self.customer.id],
            body="We paid everything",
            message_type="email",
            parent_id=self.reminder.id,
        )
        self.assertTrue(self.customer.message_ids.filtered(lambda m: "We paid everything" in str(m.body)))
        self.assertEqual(self._replied(self.customer), (False, self.env["mail.activity"]))
        self.assertFalse(self.customer.message_ids.filtered(lambda m: "reminders paused" in str(m.body)))

    def test_portal_user_calling_message_update_pauses_nothing(self):
        msg_dict = {"parent_id": self.reminder.id, "message_type": "email", "body": "<p>Paid</p>"}
        # Its own customer, with another customer's reminder as the parent.
        self._rpc_error("portal.rpc", "res.partner", "message_update", [self.other.id], msg_dict)
        self.assertEqual(self._replied(self.other), (False, self.env["mail.activity"]))
        # Another customer, with that customer's own reminder.
        self._rpc_error("portal.rpc", "res.partner", "message_update", [self.customer.id], msg_dict)
        self.assertEqual(self._replied(self.customer), (False, self.env["mail.activity"]))
        # Its own customer, with its own reminder.
        msg_dict["parent_id"] = self.other_reminder.id
        self._rpc_error("portal.rpc", "res.partner", "message_update", [self.other.id], msg_dict)
        self.assertEqual(self._replied(self.other), (False, self.env["mail.activity"]))

    def test_employee_calling_the_mail_gateway_pauses_nothing(self):
        """``message_process`` is public: an employee feeds it a forged reply
        to a customer's reminder over JSON-RPC. The e-mail lands in the chatter
        as Odoo has it; the reminders are not paused, nobody is told the
        customer replied."""
        raw = REPLY.format(
            sender="Customer One <one@customer.example.com>",
            to=self.company.email,
            subject="Payment reminder",
            reply_id="forged-by-rpc",
            parent=self.reminder.message_id,
            references=self.reminder.message_id,
            headers="",
        )
        for login in ("employee.rpc", "contacts.rpc"):
            with self.subTest(login=login):
                self._rpc_error(login, "res.partner", "message_process", False, raw.replace("forged", login))
                self.assertEqual(self._replied(self.customer), (False, self.env["mail.activity"]))
                self.assertFalse(self.customer.message_ids.filtered(lambda m: "reminders paused" in str(m.body)))
