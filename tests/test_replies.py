from freezegun import freeze_time

from odoo.tests import tagged

from .common import FollowupCommon

REPLY = """From: Customer One <one@customer.example.com>
To: {to}
Subject: Re: {subject}
Message-ID: <{reply_id}@customer.example.com>
In-Reply-To: {parent}
References: {parent}
Date: Wed, 14 Jan 2026 09:12:00 +0100
MIME-Version: 1.0
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

    def _receive_reply(self, parent, reply_id="reply-1"):
        """Feed a real RFC 822 e-mail to Odoo's mail gateway, as fetchmail does."""
        raw = REPLY.format(
            to=self.company.email,
            subject=parent.subject or "Payment reminder",
            reply_id=reply_id,
            parent=parent.message_id,
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
