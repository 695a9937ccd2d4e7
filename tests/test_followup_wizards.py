from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupWizards(FollowupCommon):
    def test_log_note_postpones_the_overdue_invoices(self):
        move = self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-02-10"):
            for option, expected in (
                ("1w", "2026-02-17"),
                ("2w", "2026-02-24"),
                ("1m", "2026-03-10"),
                ("2m", "2026-04-10"),
            ):
                wizard = (
                    self.env["res.partner.followup.note"]
                    .with_user(self.accountant)
                    .create({"partner_id": self.customer.id, "note": "Will pay", "postpone": option})
                )
                wizard.action_apply()
                self.assertEqual(move.expected_payment_date, self.d(expected), option)
            wizard = (
                self.env["res.partner.followup.note"]
                .with_user(self.accountant)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "note": "Promised",
                        "postpone": "date",
                        "postpone_date": "2026-05-01",
                    }
                )
            )
            wizard.action_apply()
            self.assertEqual(move.expected_payment_date, self.d("2026-05-01"))
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.followup_status, "with_overdue_invoices")
            note = self.customer.message_ids[0]
            self.assertIn("Promised", str(note.body))
            self.assertIn(move.name, str(note.body))
            with self.assertRaises(UserError):
                self.env["res.partner.followup.note"].with_user(self.accountant).create(
                    {"partner_id": self.customer.id, "note": "x", "postpone": "date"}
                ).action_apply()

    def test_plan_next_reminder_switches_to_manual(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-02-10"):
            self.env["res.partner.followup.plan"].with_user(self.accountant).create(
                {"partner_id": self.customer.id, "date": "2026-02-20", "note": "After the holidays"}
            ).action_apply()
            self.assertEqual(self.customer.followup_reminder_type, "manual")
            self.assertEqual(self.customer.followup_next_action_date, self.d("2026-02-20"))
            self.assertEqual(self.customer.followup_status, "with_overdue_invoices")
            with self.assertRaises(UserError):
                self.env["res.partner.followup.plan"].with_user(self.accountant).create(
                    {"partner_id": self.customer.id, "date": "2026-01-01"}
                ).action_apply()

    def test_expected_payment_wizard_on_invoices(self):
        move = self._invoice(self.customer, 100, "2026-01-01")
        action = move.action_open_expected_payment_wizard()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        form.expected_payment_date = "2026-03-01"
        form.note = "Customer called: paying on March 1st"
        with freeze_time("2026-02-01"):  # a promise is for a later date
            form.save().action_apply()
        self.assertEqual(move.expected_payment_date, self.d("2026-03-01"))
        self.assertEqual(move.followup_note, "Customer called: paying on March 1st")
        self.assertIn("paying on March 1st", str(move.message_ids[0].body))

    def test_person_sends_an_edited_email_and_the_level_is_recorded(self):
        # the 15-day level: an e-mail for a person to send
        self.level_call.write(
            {"manual_action": False, "send_email": True, "mail_template_id": self.level_first.mail_template_id.id}
        )
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-16"):
            action = self.customer.with_user(self.accountant).action_followup_send()
            dialog = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
            self.assertEqual(dialog.level_id, self.level_call)
            self.assertIn("email", self._chosen_channels(dialog))
            self.assertIn("one@customer.example.com", dialog.email_recipients)
            dialog.mail_body = "<p>Hello, a special word for you.</p>"
            dialog.save().action_send()
            message = self.customer.message_ids.filtered(lambda m: "special word" in str(m.body))
            self.assertEqual(len(message), 1)
            self.assertEqual(message.partner_ids, self.customer)
            step = self.customer.followup_step_ids
            self.assertEqual(len(step), 1)
            self.assertEqual(step.level_id, self.level_call)
            self.assertEqual(step.user_id, self.accountant)
            self.assertEqual(step.state, "done")
            self.assertEqual(step.channel_ids.message_id, message)
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.followup_status, "with_overdue_invoices")

    def test_letter_report_renders_many_customers(self):
        other = self._create_customer("Second Customer", "second@example.com")
        move_1 = self._invoice(self.customer, 100, "2026-01-01")
        move_2 = self._invoice(other, 250, "2026-01-01")
        with freeze_time("2026-01-20"):
            report = self.env.ref("account_payment_followup.action_report_followup_letter")
            html, _type = report._render_qweb_html(report.report_name, (self.customer | other).ids)
            html = html.decode()
            self.assertIn(move_1.name, html)
            self.assertIn(move_2.name, html)
            self.assertIn("Rue du Marché 1", html)
            self.assertIn(self.level_call.note, html)
            self.customer.followup_letter_to_print = True
            action = self.customer.with_user(self.accountant).action_followup_print_letter()
            self.assertEqual(action["type"], "ir.actions.act_url", "the letter produced, to download")
            self.assertRegex(action["url"], r"^/web/content/\d+\?download=true$")
            self.assertFalse(self.customer.followup_letter_to_print)

    def test_manual_action_done_moves_on_to_the_next_level(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-16"):
            self.assertEqual(self.customer.followup_level_id, self.level_call)
            self.customer.with_user(self.accountant).action_followup_done()
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.followup_status, "with_overdue_invoices")
            self.assertEqual(self.customer.followup_next_action_date, self.d("2026-02-05"))
            self.assertTrue(self.customer.message_ids.filtered(lambda m: "done" in str(m.body)))

    def test_read_only_accounting_user_cannot_mark_done(self):
        reader = self.accountant.copy({"login": "reader.followup", "name": "Reader"})
        reader.groups_id = [
            (6, 0, [self.env.ref("account.group_account_readonly").id, self.env.ref("base.group_user").id])
        ]
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-16"):
            with self.assertRaises(AccessError):
                self.customer.with_user(reader).action_followup_done()
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.followup_status, "in_need_of_action")
