from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestStatementsScreen(FollowupCommon):
    """What the accountant reads on the statements screen and the aged
    receivable, and the traces its changes leave on the customer."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.salesman = cls.env["res.users"].create(
            {
                "name": "Sam Salesman",
                "login": "sam.followup",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set([cls.env.ref("base.group_user").id])],
            }
        )
        cls.bob = cls._create_customer("Bob Bakery", "bob@example.com", user_id=cls.salesman.id)
        cls.zed = cls._create_customer("Zed Zinc", "zed@example.com")
        cls.zed.with_company(cls.company).followup_responsible_id = cls.accountant
        cls.netted = cls._create_customer("Netted Customer", "netted@example.com")
        cls.bob_invoice = cls._invoice(cls.bob, 500, "2026-01-01")
        cls._invoice(cls.zed, 100, "2026-02-01", term=cls.term_30)  # due 2026-03-03
        cls._invoice(cls.netted, 300, "2026-01-01")
        cls._invoice(cls.netted, 300, "2026-01-05", move_type="out_refund")

    def setUp(self):
        super().setUp()
        self.last_message_id = self.env["mail.message"].search([], order="id desc", limit=1).id

    def _statements(self, user=None):
        return self.env["account.followup.statement"].with_user(user or self.accountant)

    def _rows(self, **kwargs):
        return {row["name"]: row for row in self._statements().get_customers(**kwargs)["customers"]}

    def _notes(self, partner):
        """Notes and messages on ``partner`` since the test began."""
        return self.env["mail.message"].search(
            [
                ("id", ">", self.last_message_id),
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("subtype_id", "in", [self.env.ref("mail.mt_note").id, self.env.ref("mail.mt_comment").id]),
            ]
        )

    @freeze_time("2026-02-10")
    def test_customers_netted_to_zero_have_their_own_filter(self):
        rows = self._rows(filter_name="all")
        self.assertEqual(set(rows), {"Bob Bakery", "Zed Zinc"}, "all with open items: those who owe something")
        balanced = self._rows(filter_name="balanced")
        self.assertEqual(list(balanced), ["Netted Customer"])
        self.assertEqual(balanced["Netted Customer"]["status"], "no_action_needed")
        self.assertIn("0.00", balanced["Netted Customer"]["total_due"])
        self.assertNotIn("Netted Customer", self._rows(filter_name="overdue"))
        aged = self.env["account.followup.aged.receivable"].search([("partner_id", "=", self.netted.id)])
        self.assertTrue(aged, "both screens agree")

    @freeze_time("2026-02-10")
    def test_responsible_column_is_the_statements_and_past_dates_are_flagged(self):
        rows = self._rows(filter_name="all")
        statement = self._statements().get_statement(self.bob.id)
        self.assertEqual(rows["Bob Bakery"]["responsible"], "Sam Salesman")
        self.assertEqual(rows["Bob Bakery"]["responsible"], statement["responsible"])
        self.assertEqual(rows["Zed Zinc"]["responsible"], "Anna Accountant")
        # Netted: no level, no salesperson, no responsible: the company's default, as the statement says.
        netted_statement = self._statements().get_statement(self.netted.id)
        netted_row = self._rows(filter_name="balanced")["Netted Customer"]
        self.assertEqual(netted_row["responsible"], netted_statement["responsible"])
        self.assertTrue(netted_row["responsible"])
        # Bob is 40 days late: the 35-day level has been due since 2026-02-05.
        self.assertTrue(rows["Bob Bakery"]["next_date_past"])
        self.assertFalse(rows["Zed Zinc"]["next_date_past"])
        self.assertTrue(statement["next_date_past"])

    @freeze_time("2026-02-10")
    def test_trust_and_status_labels_are_the_partner_forms(self):
        """The screen shows the labels the customer's form shows ("Good
        Debtor", Odoo's), sent by the server with the list and the statement."""
        form = self.env["res.partner"].with_user(self.accountant).fields_get(["trust", "followup_status"])
        expected = {
            "trust": dict(form["trust"]["selection"]),
            "status": dict(form["followup_status"]["selection"]),
        }
        self.assertEqual(expected["trust"]["good"], "Good Debtor")
        self.assertEqual(self._statements().get_customers(filter_name="all")["labels"], expected)
        statement = self._statements().get_statement(self.bob.id)
        self.assertEqual(statement["labels"], expected)
        self.assertEqual(statement["labels"]["status"][statement["status"]], "In need of action")

    @freeze_time("2026-02-10")
    def test_columns_sort_both_ways(self):
        names = list(self._rows(filter_name="all", order="name"))
        self.assertEqual(names, sorted(names, key=str.lower))
        self.assertEqual(list(self._rows(filter_name="all", order="name desc")), names[::-1])
        by_due = list(self._rows(filter_name="all", order="total_due desc"))
        self.assertEqual(by_due[0], "Bob Bakery")
        self.assertEqual(by_due[-1], "Zed Zinc")
        by_responsible = list(self._rows(filter_name="all", order="responsible"))
        self.assertLess(by_responsible.index("Zed Zinc"), by_responsible.index("Bob Bakery"))
        self.assertEqual(list(self._rows(filter_name="all", order="bogus")), list(self._rows(filter_name="all")))

    @freeze_time("2026-02-10")
    def test_changes_are_logged_on_the_customer(self):
        statements = self._statements()
        statements.set_trust(self.bob.id, "bad")
        statements.set_excluded(self.bob_invoice.id, True)
        statements.set_excluded(self.bob_invoice.id, False)
        statements.set_expected_date(self.bob_invoice.id, "2026-03-01")
        notes = self._notes(self.bob).sorted("id")
        bodies = [str(note.body) for note in notes]
        self.assertEqual(len(notes), 4, bodies)
        self.assertEqual(notes.author_id, self.accountant.partner_id, "who")
        self.assertIn("Normal Debtor → Bad Debtor", bodies[0])
        self.assertIn(f"{self.bob_invoice.name}: Excluded from Follow-ups no → yes", bodies[1])
        self.assertIn("yes → no", bodies[2])
        # The expected date is a promise to pay, told once, with who recorded it.
        self.assertIn("Promise to pay", bodies[3])
        self.assertIn("by 03/01/2026, recorded by Anna Accountant", bodies[3])
        self.assertTrue(all(note.subtype_id == self.env.ref("mail.mt_note") for note in notes))

    @freeze_time("2026-02-10")
    def test_a_date_that_is_not_one_changes_nothing(self):
        for text in ("2-12-15 00:00:00", "0002-12-15", "tomorrow"):
            with self.subTest(text=text), self.assertRaisesRegex(UserError, "not a valid date"):
                self._statements().set_expected_date(self.bob_invoice.id, text)
        self.assertFalse(self.bob_invoice.expected_payment_date)
        self.assertFalse(self._notes(self.bob))

    @freeze_time("2026-02-10")
    def test_billing_users_post_only_followup_notes_on_customers(self):
        """They chase customers they may not edit: the follow-up posts for them,
        a plain message_post does not."""
        customer = self.bob.with_user(self.accountant)
        with self.assertRaises(AccessError):
            customer.message_post(body="Anything", subtype_xmlid="mail.mt_comment", message_type="comment")
        with self.assertRaises(AccessError):
            customer.message_post(body="A note", subtype_xmlid="mail.mt_note")
        with self.assertRaises(AccessError):
            customer._message_post_followup(body="A discussion", subtype_xmlid="mail.mt_comment")
        note = customer._message_post_followup(body="Called, will pay")
        self.assertEqual(note.author_id, self.accountant.partner_id)
        self.env["res.partner.followup.note"].with_user(self.accountant).create(
            {"partner_id": self.bob.id, "note": "Promised"}
        ).action_apply()
        self.assertIn("Promised", " ".join(self._notes(self.bob).mapped("body")))

    @freeze_time("2026-02-10")
    def test_reminder_written_in_send_and_print_by_a_billing_user(self):
        action = self.bob.with_user(self.accountant).action_followup_send()
        dialog = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
        self._choose_channels(dialog, letter=False, sms=False, email=True)
        dialog.mail_body = "<p>Please pay, Bob</p>"
        dialog.save().action_send()
        message = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.bob.id), ("body", "ilike", "Please pay, Bob")]
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.create_uid, self.accountant)
        # (its author is the company, the reminders' sender)
        self.assertEqual(message.partner_ids.commercial_partner_id, self.bob, "to Bob's invoice contacts")
        self.assertEqual(message.subtype_id, self.env.ref("account_payment_followup.mt_followup"))

    def test_aged_receivable_groups_by_responsible_salesperson_and_trust(self):
        today = date.today()
        self._invoice(self.bob, 10, today - timedelta(days=5))
        self.bob.with_company(self.company).trust = "good"
        Aged = self.env["account.followup.aged.receivable"].with_user(self.accountant)
        domain = [("partner_id", "in", (self.bob | self.zed | self.netted).ids)]
        by_responsible = {
            group["followup_responsible_id"] and group["followup_responsible_id"][0]: group[
                "followup_responsible_id_count"
            ]
            for group in Aged.read_group(domain, ["total:sum"], ["followup_responsible_id"])
        }
        self.assertEqual(by_responsible, {self.accountant.id: 1, False: 2})
        by_salesperson = {
            group["user_id"] and group["user_id"][0]: group["user_id_count"]
            for group in Aged.read_group(domain, ["total:sum"], ["user_id"])
        }
        self.assertEqual(by_salesperson, {self.salesman.id: 1, False: 2})
        by_trust = {group["trust"]: group["total"] for group in Aged.read_group(domain, ["total:sum"], ["trust"])}
        self.assertEqual(by_trust, {"good": 510, "normal": 100})
        self.assertEqual(
            Aged.search([*domain, ("followup_responsible_id", "=", self.accountant.id)]).partner_id, self.zed
        )
        self.assertEqual(Aged._fields["trust"].string, "Trust")
