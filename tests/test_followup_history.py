from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupHistory(FollowupCommon):
    """Every path that executes a level records exactly one step, with what
    each channel did or why it did not; "never twice" is read from it."""

    def _steps(self, partner):
        return self.env["account.followup.step"].search([("partner_id", "=", partner.id)])

    def _outcomes(self, step):
        return {row.channel: row.state for row in step.channel_ids}

    def test_scheduled_action_records_one_step_per_level(self):
        move = self._invoice(self.customer, 100, "2026-01-01")  # no term: due on its date
        with freeze_time("2026-01-02"):
            self._run_cron()
            self._run_cron()  # a second run the same day
        step = self._steps(self.customer)
        self.assertEqual(len(step), 1)
        self.assertEqual(step.level_id, self.level_first)
        self.assertEqual(step.state, "done")
        self.assertTrue(step.automatic)
        self.assertEqual(step.user_id, self.env.user, "the scheduled action's user")
        self.assertEqual(step.date, self.d("2026-01-02"))
        self.assertEqual(
            step.move_line_ids, move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        )
        self.assertEqual(step.amount_due, 100)
        self.assertEqual(step.amount_overdue, 100)
        self.assertEqual(self._outcomes(step), {"email": "queued", "letter": "queued"})
        email = step.channel_ids.filtered(lambda row: row.channel == "email")
        mail = self._followup_mails(self.customer)
        self.assertEqual(email.message_id, mail.mail_message_id)
        self.assertIn("Your statement of account", mail.body_html)
        self.assertNotIn("Your Contact", mail.body_html, "not the customer's own name as the document")
        body = str(email.message_id.body)  # the message, without the layout's preview line
        self.assertEqual(body.count("Our records show"), 1, "the level's note, not the same sentence twice")
        letter = step.channel_ids.filtered(lambda row: row.channel == "letter")
        self.assertEqual(letter.res_model, "snailmail.letter")
        self.assertEqual(letter.res_id, self._letters(self.customer).id)
        self.assertEqual(letter.note, "letter handed to Snailmail for posting", "not 'sent by post'")
        self.assertEqual(self.customer.followup_step_count, 1)

    def test_history_says_by_the_scheduled_action_not_odoobot(self):
        """The history's list and form say "By the scheduled action" for its
        steps and name the person only for the steps a person did."""
        for view_type in ("list", "form"):
            arch = self.env["account.followup.step"].get_views([(False, view_type)])["views"][view_type]["arch"]
            root = etree.fromstring(arch)
            (user,) = root.xpath("//field[@name='user_id'][not(ancestor::field)]")
            self.assertEqual(user.get("invisible"), "automatic", f"{view_type}: no 'Done By OdooBot'")
            (automatic,) = root.xpath("//field[@name='automatic'][not(ancestor::field)]")
            self.assertEqual(automatic.get("string"), "By the scheduled action", view_type)
            self.assertIsNone(automatic.get("column_invisible"), view_type)

    def test_a_skipped_channel_keeps_its_reason_on_the_step(self):
        no_mail = self._create_customer("No Mail", email=False)
        self._invoice(no_mail, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        step = self._steps(no_mail)
        email = step.channel_ids.filtered(lambda row: row.channel == "email")
        self.assertEqual(email.state, "skipped")
        self.assertEqual(email.reason, "the customer has no e-mail address")
        self.assertEqual(step.state, "done", "skipped with a reason counts as done")
        self.assertTrue(no_mail.activity_ids.filtered(lambda a: "no e-mail address" in str(a.note)))

    def test_level_for_a_person_is_one_step_until_its_activity_is_done(self):
        self.customer.followup_responsible_id = self.accountant
        move = self._invoice(self.customer, 100, "2026-01-01")
        receivable = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        with freeze_time("2026-01-16"):
            self._run_cron()
            self._run_cron()
            step = self._steps(self.customer)
            self.assertEqual(len(step), 1)
            self.assertEqual(step.level_id, self.level_call)
            self.assertEqual(step.state, "in_progress")
            manual = step.channel_ids
            self.assertEqual(manual.channel, "manual")
            self.assertEqual(manual.state, "to_do")
            activity = self.customer.activity_ids.filtered(lambda a: a.followup_level_id == self.level_call)
            self.assertEqual(manual.activity_id, activity)
            self.assertFalse(receivable.followup_level_id, "not received while the call is to do")
            activity.with_user(self.accountant).action_feedback(feedback="Promised to pay Friday")
            self.assertEqual(step.state, "done")
            self.assertEqual(manual.state, "done")
            self.assertEqual(manual.user_id, self.accountant)
            self.assertEqual(receivable.followup_level_id, self.level_call)
            self._run_cron()
        self.assertEqual(len(self._steps(self.customer)), 1)

    def test_done_button_closes_the_level_and_its_activity(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-16"):
            self._run_cron()
            activity = self.customer.activity_ids
            self.assertTrue(activity)
            self.customer.with_user(self.accountant).action_followup_done()
            step = self._steps(self.customer)
            self.assertEqual(len(step), 1)
            self.assertEqual(step.state, "done")
            self.assertEqual(self._outcomes(step), {"manual": "done"})
            self.assertFalse(activity.exists(), "the call activity is closed with the level")
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.followup_status, "with_overdue_invoices")

    def test_done_without_a_proposal_records_the_step(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-16"):
            self.customer.with_user(self.accountant).action_followup_done()
            step = self._steps(self.customer)
            self.assertEqual(len(step), 1)
            self.assertEqual(step.user_id, self.accountant)
            self.assertFalse(step.automatic)
            self._run_cron()
            self.assertEqual(len(self._steps(self.customer)), 1, "the scheduled action does not propose it again")
            self.assertFalse(self.customer.activity_ids)

    def test_printing_the_letter_of_a_level_completes_its_letter(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-02-06"):  # 36 days: e-mail + letter + call, for a person
            self._run_cron()
            step = self._steps(self.customer)
            self.assertEqual(self._outcomes(step), {"email": "to_do", "letter": "to_do", "manual": "to_do"})
            self.customer.with_user(self.accountant).action_followup_print_letter()
            letter = step.channel_ids.filtered(lambda row: row.channel == "letter")
            self.assertEqual(letter.state, "sent")
            self.assertEqual(letter.note, "letter printed by Anna Accountant")
            self.assertEqual(step.state, "in_progress", "the e-mail and the call are still to do")

    def test_send_dialog_proposes_no_email_for_a_level_without_template(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-21"):  # 20 days late: the call level, which has no template
            action = self.customer.with_user(self.accountant).action_followup_send()
            dialog = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
            self.assertEqual(dialog.level_id, self.level_call)
            # no other level's template borrowed: no e-mail until the person picks one
            self.assertNotIn("email", self._chosen_channels(dialog))
            self.assertFalse(dialog.mail_template_id)
            self.assertFalse(dialog.mail_subject)
            dialog.mail_template_id = self.level_first.mail_template_id
            self._choose_channels(dialog, email=True)
            self.assertIn("Payment reminder", dialog.mail_subject)
            self.assertNotIn("will soon be due", dialog.mail_body)

    def test_send_dialog_refuses_an_email_without_address(self):
        no_mail = self._create_customer("No Mail", email=False)
        self._invoice(no_mail, 100, "2026-01-01")
        with freeze_time("2026-01-05"):
            action = no_mail.with_user(self.accountant).action_followup_send()
            dialog = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
            self.assertIn("has no e-mail address", dialog.warnings)
            self._choose_channels(dialog, letter=False)
            result = dialog.save().action_send()
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("the customer has no e-mail address", result["params"]["message"])
        self.assertFalse(self._followup_mails(no_mail))
        self.assertFalse(no_mail.message_ids.filtered(lambda m: m.message_type == "comment" and m.partner_ids))
        self.assertTrue(no_mail.activity_ids.filtered(lambda a: "no e-mail address" in str(a.note)))

    def test_steps_are_read_only(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        step = self._steps(self.customer).with_user(self.accountant)
        self.assertEqual(step.level_id, self.level_first, "billing users read the history")
        with self.assertRaises(AccessError):
            step.write({"date": "2026-01-03"})
        with self.assertRaises(AccessError):
            step.unlink()
        with self.assertRaises(UserError):
            step.sudo().unlink()

    def test_statement_shows_the_past_follow_ups(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
            statement = (
                self.env["account.followup.statement"].with_user(self.accountant).get_statement(self.customer.id)
            )
        self.assertEqual(len(statement["history"]), 1)
        past = statement["history"][0]
        self.assertEqual(past["level"], "First reminder")
        self.assertIn("E-mail: Queued", past["outcome"])
        self.assertFalse(past["in_progress"])
        self.assertNotIn("\n\n", statement["address"], "no blank line for empty address fields")
