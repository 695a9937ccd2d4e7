from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import FollowupCommon, print_one_shot_report


@tagged("post_install", "-at_install")
class TestFollowupSafety(FollowupCommon):
    """The safety valves an accountant wants before switching automation on."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.second = cls._create_customer("Second", "second@customer.example.com")
        cls.no_mail = cls._create_customer("No Mail", email=False)
        for partner in cls.customer | cls.second | cls.no_mail:
            cls._invoice(partner, 100, "2026-01-01")

    def test_preview_sends_nothing_and_says_what_would_run(self):
        with freeze_time("2026-01-02"):
            wizard = self.env["account.followup.preview"].create({"company_id": self.company.id})
            html = str(wizard.preview_html)
        self.assertEqual(wizard.email_count, 3)
        self.assertIn("one@customer.example.com", html)
        self.assertIn("second@customer.example.com", html)
        self.assertIn("no e-mail address", html)
        self.assertIn(self.level_first.name, html)
        self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", self.customer.ids)]))
        self.assertFalse(self.env["snailmail.letter"].search([("partner_id", "=", self.customer.id)]))

    def test_email_cap_stops_the_run_and_warns(self):
        self.company.followup_max_emails = 2
        self.company.followup_default_responsible_id = self.accountant
        with freeze_time("2026-01-02"):
            self._run_cron()
            self._run_cron()
        for partner in self.customer | self.second:
            self.assertFalse(self._followup_mails(partner), "nothing is sent beyond the cap")
        warnings = self.company.partner_id.activity_ids
        self.assertEqual(len(warnings), 1, "warned once, not at every run")
        self.assertEqual(warnings.user_id, self.accountant)
        self.assertIn("3 e-mails are due today", str(warnings.note))
        self.company.followup_max_emails = 3
        with freeze_time("2026-01-02"):
            self._run_cron()
        self.assertEqual(len(self._followup_mails(self.customer)), 1)

    def test_one_shot_run_reports_the_cap_that_stopped_it(self):
        """`dev.sh followup` hands the engine its report and prints it: a run
        stopped by the cap says so, and nothing is sent."""
        self.company.followup_max_emails = 2
        report = {}
        with freeze_time("2026-01-02"):
            remaining = self.env["account.followup"]._execute_followups(self.company, report=report)
        self.assertFalse(remaining)
        self.assertFalse(report.get("done"))
        text = print_one_shot_report(self.company, report)
        self.assertIn("0 customer(s) processed", text)
        self.assertIn("STOPPED: Payment follow-ups stopped for", text)
        self.assertIn("3 e-mails are due today, more than the limit of 2", text)
        for partner in self.customer | self.second:
            self.assertFalse(self._followup_mails(partner), "nothing is sent beyond the cap")

    def test_preview_counts_the_emails_the_cap_counts(self):
        """Customers at levels that e-mail or not, automatic or proposed, in
        manual mode: the preview announces the number of e-mails the cap
        stops at, and the run sends them when the cap allows that number."""
        self.level_call.auto_execute = True  # automatic, but a call: no e-mail
        first = self._create_customer("First", "first@customer.example.com")
        unreachable = self._create_customer("Unreachable", email=False)
        called = self._create_customer("Called", "called@customer.example.com")
        planned = self._create_customer("Planned", "planned@customer.example.com")
        for partner in first | unreachable | planned:
            self._invoice(partner, 100, "2026-02-27")  # first reminder: an automatic e-mail
        self._invoice(called, 100, "2026-02-10")  # the call: automatic, no e-mail
        # Customer One, Second and No Mail (invoiced on 1 January) are at the
        # second reminder: an e-mail proposed to a person, not sent by the run.
        planned.write({"followup_reminder_type": "manual", "followup_planned_date": "2026-02-28"})
        self.company.followup_default_responsible_id = self.accountant
        with freeze_time("2026-03-01"):
            wizard = self.env["account.followup.preview"].create({"company_id": self.company.id})
            html = str(wizard.preview_html)
            self.assertIn("Customer One", html)
            self.assertIn("Called", html)
            self.assertNotIn("Planned", html, "a customer in manual mode is not chased by the run")
            self.assertEqual(wizard.email_count, 2, "First, and Unreachable (skipped, but counted)")
            self.company.followup_max_emails = wizard.email_count - 1
            self._run_cron()
            self.assertIn("2 e-mails are due today", str(self.company.partner_id.activity_ids.note))
            self.assertFalse(self._followup_mails(first), "stopped: nothing sent")
            self.company.followup_max_emails = wizard.email_count
            self._run_cron()
        self.assertEqual(len(self._followup_mails(first)), 1, "the cap equal to the preview's count lets the run go")
        for partner in called | planned | self.customer:
            self.assertFalse(self._followup_mails(partner), partner.name)

    def test_test_mode_redirects_every_email_to_one_address(self):
        self.company.followup_test_email = "tester@company.example.com"
        with freeze_time("2026-01-02"):
            self._run_cron()
        mails = self.env["mail.mail"].search([("email_to", "=", "tester@company.example.com")])
        self.assertEqual(len(mails), 2)
        self.assertFalse(self._followup_mails(self.customer))
        self.assertFalse(self._followup_mails(self.second))
        self.assertTrue(self.customer.message_ids.filtered(lambda m: "test address" in str(m.body)))

    def test_invoice_pdfs_failing_still_sends_the_email(self):
        self.level_first.join_invoices = True
        report = type(self.env["ir.actions.report"])
        with (
            freeze_time("2026-01-02"),
            patch.object(report, "_render_qweb_pdf", side_effect=OSError("wkhtmltopdf not found")),
        ):
            self._run_cron()
        mail = self._followup_mails(self.customer)
        self.assertEqual(len(mail), 1)
        self.assertFalse(mail.attachment_ids)
        self.assertTrue(self.customer.message_ids.filtered(lambda m: "could not be attached" in str(m.body)))

    def test_invoice_pdfs_attached_when_the_level_says_so(self):
        self.level_first.join_invoices = True
        with freeze_time("2026-01-02"):
            self._run_cron()
        mail = self._followup_mails(self.customer)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertTrue(mail.attachment_ids.name.endswith(".pdf"))

    def test_mail_server_down_keeps_the_step_recorded_once(self):
        server = type(self.env["ir.mail_server"])
        with freeze_time("2026-01-02"):
            self._run_cron()
            mail = self._followup_mails(self.customer)
            self.assertEqual(mail.state, "outgoing", "queued, not sent during the follow-up")
            with patch.object(server, "connect", side_effect=ConnectionRefusedError("server down")):
                mail.send(raise_exception=False)
            self.assertEqual(mail.state, "exception")
        with freeze_time("2026-01-03"):
            self._run_cron()
        self.assertEqual(mail.state, "outgoing", "queued again for Odoo's mail queue")
        self.assertEqual(len(self._followup_mails(self.customer)), 1, "the step is not redone")
