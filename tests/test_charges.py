import psycopg2
from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestCharges(FollowupCommon):
    """Late-payment charges: amounts checked against values computed by hand
    (rate 10 % a year, compensation 40, fee 15), once per step and per invoice."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.currency = cls.company.currency_id
        cls.company.write({"followup_interest_rate": 10.0, "followup_compensation_amount": 40.0})
        # 35 days: fee, interest and compensation; 60 days: interest and compensation.
        cls.level_second.write(
            {"charge_fee": True, "fee_amount": 15.0, "charge_interest": True, "charge_compensation": True}
        )
        cls.level_notice.write({"charge_interest": True, "charge_compensation": True})
        # Invoiced on 1 January 2025, due on 31 January, 35 days late on 7 March.
        cls.invoice = cls._invoice(cls.customer, 1000.0, "2025-01-01", term=cls.term_30)

    def _step(self, level, day, partner=None):
        """A follow-up step of ``level`` on ``day`` concerning the customer's open items."""
        return self._record_charging_step(partner or self.customer, level, day)

    def _charge(self, step):
        """Create the step's charges invoice as the billing user."""
        return step.with_user(self.accountant)._create_charges_invoice()

    def _amounts(self, charges):
        """{(kind, charged invoice or False): amount} of a charges invoice."""
        return {
            (line.followup_charge_type, line.followup_charged_move_id.name or False): round(line.price_unit, 6)
            for line in charges.invoice_line_ids
        }

    def _reconcile(self, *moves):
        lines = self.env["account.move"].union(*moves).line_ids
        lines.filtered(lambda line: line.account_type == "asset_receivable").reconcile()

    # ------------------------------------------------------------
    # AMOUNTS
    # ------------------------------------------------------------

    @freeze_time("2025-03-07")
    def test_fee_interest_and_compensation(self):
        step = self._step(self.level_second, self.d("2025-03-07"))
        charges = self._charge(step)
        # interest: 1000 × 10 % × 35 / 365 = 9.589... -> 9.59
        self.assertEqual(
            self._amounts(charges),
            {("fee", False): 15.0, ("interest", self.invoice.name): 9.59, ("compensation", self.invoice.name): 40.0},
        )
        self.assertEqual(charges.amount_total, 64.59)
        self.assertEqual(charges.amount_tax, 0.0, "no taxes by default")
        self.assertEqual(charges.state, "posted")
        self.assertEqual(charges.move_type, "out_invoice")
        self.assertEqual(charges.partner_id, self.customer)
        self.assertEqual(charges.currency_id, self.currency)
        self.assertEqual(charges.invoice_date, self.d("2025-03-07"))
        self.assertEqual(charges.ref, "Late payment charges")
        self.assertEqual(step.charge_move_id, charges)
        self.assertEqual(charges.followup_step_id, step)
        interest = charges.invoice_line_ids.filtered(lambda line: line.followup_charge_type == "interest")
        self.assertIn(self.invoice.name, interest.name)
        self.assertIn("35 days", interest.name)
        self.assertIn("10.00%", interest.name)
        self.assertEqual(
            charges.invoice_line_ids.product_id,
            self.env.ref("account_payment_followup.product_followup_fee")
            | self.env.ref("account_payment_followup.product_followup_interest")
            | self.env.ref("account_payment_followup.product_followup_compensation"),
        )
        self.assertIn(step.level_id.name, charges.message_ids[0].body)

    @freeze_time("2025-03-07")
    def test_partial_payment_changes_the_base_from_its_day(self):
        self._pay(self.invoice, 400.0, "2025-02-15")
        charges = self._charge(self._step(self.level_second, self.d("2025-03-07")))
        # 1 to 14 February on 1000, 15 February to 7 March (21 days) on 600:
        # (1000 × 14 + 600 × 21) × 10 % / 365 = 7.287... -> 7.29
        self.assertEqual(self._amounts(charges)[("interest", self.invoice.name)], 7.29)
        self.assertEqual(self._amounts(charges)[("compensation", self.invoice.name)], 40.0)

    @freeze_time("2025-03-07")
    def test_credit_note_reduces_the_base(self):
        refund = self._invoice(self.customer, 200.0, "2025-02-10", move_type="out_refund")
        self._reconcile(self.invoice, refund)
        charges = self._charge(self._step(self.level_second, self.d("2025-03-07")))
        # (1000 × 9 + 800 × 26) × 10 % / 365 = 8.164... -> 8.16
        self.assertEqual(self._amounts(charges)[("interest", self.invoice.name)], 8.16)
        self.assertNotIn(("interest", refund.name), self._amounts(charges), "a credit note is not charged")

    @freeze_time("2025-03-07")
    def test_payment_before_the_due_date_lowers_the_whole_base(self):
        self._pay(self.invoice, 250.0, "2025-01-20")
        charges = self._charge(self._step(self.level_second, self.d("2025-03-07")))
        # 750 × 10 % × 35 / 365 = 7.191... -> 7.19
        self.assertEqual(self._amounts(charges)[("interest", self.invoice.name)], 7.19)

    @freeze_time("2025-03-07")
    def test_installments_interest_each_compensation_once(self):
        self.invoice.button_draft()
        self.invoice.button_cancel()
        invoice = self._invoice(self.customer, 1000.0, "2025-01-01", term=self.term_installments)
        charges = self._charge(self._step(self.level_second, self.d("2025-03-07")))
        interest = charges.invoice_line_ids.filtered(lambda line: line.followup_charge_type == "interest")
        # 500 due on 1 January: 500 × 10 % × 65 / 365 = 8.904 -> 8.90;
        # 500 due on 31 January: 500 × 10 % × 35 / 365 = 4.794 -> 4.79
        self.assertEqual(sorted(interest.mapped("price_unit")), [4.79, 8.90])
        self.assertEqual(
            charges.invoice_line_ids.filtered(lambda line: line.followup_charge_type == "compensation").mapped(
                "followup_charged_move_id"
            ),
            invoice,
        )
        self.assertEqual(charges.amount_total, 68.69)

    @freeze_time("2025-03-07")
    def test_foreign_currency_invoice_is_charged_in_company_currency(self):
        gold = self.currency_data["currency"]
        self.env["res.currency.rate"].create({"name": "2025-02-01", "rate": 4.0, "currency_id": gold.id})
        self.invoice.button_draft()
        self.invoice.button_cancel()
        # 2000 Gold at 2 Gold per unit of the company's currency: 1000.
        invoice = self._invoice(self.customer, 2000.0, "2025-01-01", term=self.term_30, currency=gold)
        receivable = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertEqual(receivable.balance, 1000.0)
        # 800 Gold paid on 15 February: 1200 Gold still due, 600 at the invoice's rate.
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": 800.0, "currency_id": gold.id, "payment_date": "2025-02-15"}
        )._create_payments()
        self.assertEqual(receivable.amount_residual, 600.0)
        charges = self._charge(self._step(self.level_second, self.d("2025-03-07")))
        self.assertEqual(charges.currency_id, self.currency)
        # (1000 × 14 + 600 × 21) × 10 % / 365 = 7.29, in the company's currency
        self.assertEqual(self._amounts(charges)[("interest", invoice.name)], 7.29)
        self.assertEqual(self._amounts(charges)[("compensation", invoice.name)], 40.0)

    @freeze_time("2024-03-10")
    def test_leap_year_days_count_for_1_366(self):
        self.invoice.button_draft()
        self.invoice.button_cancel()
        # due 16 December 2023 (30 days after 16 November)
        invoice = self._invoice(self.customer, 1000.0, "2023-11-16", term=self.term_30)
        charges = self._charge(self._step(self.level_second, self.d("2024-01-20")))
        # 17-31 December 2023: 15 days / 365; 1-20 January 2024: 20 days / 366
        # 1000 × 10 % × (15 / 365 + 20 / 366) = 9.574 -> 9.57 (9.59 with 365 days)
        self.assertEqual(self._amounts(charges)[("interest", invoice.name)], 9.57)
        # 29 February counts too: 21 January to 1 March 2024, 41 days / 366
        # 1000 × 10 % × 41 / 366 = 11.202 -> 11.20
        charges = self._charge(self._step(self.level_notice, self.d("2024-03-01")))
        self.assertEqual(self._amounts(charges), {("interest", invoice.name): 11.20})

    @freeze_time("2025-03-07")
    def test_labels_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.customer.lang = "nl_NL"
        charges = self._charge(self._step(self.level_second, self.d("2025-03-07")))
        interest = charges.invoice_line_ids.filtered(lambda line: line.followup_charge_type == "interest")
        # Dutch dates and decimal comma: the customer reads the invoice
        self.assertIn("31-01-2025", interest.name)
        self.assertIn("10,00", interest.name)

    def test_scheduled_action_charges_once_per_step(self):
        # the first reminder (1 day, automatic) charges interest and the compensation
        self.level_first.write({"charge_interest": True, "charge_compensation": True})
        with freeze_time("2025-02-01"):
            self._run_cron()
            self._run_cron()  # a second run the same day
        step = self.env["account.followup.step"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(step.level_id, self.level_first)
        charges = step.charge_move_id
        # 1 February, one day late: 1000 × 10 % × 1 / 365 = 0.27
        self.assertEqual(
            self._amounts(charges), {("interest", self.invoice.name): 0.27, ("compensation", self.invoice.name): 40.0}
        )
        self.assertEqual(charges.state, "posted")
        self.assertEqual(
            self.env["account.move"].search_count(
                [("partner_id", "=", self.customer.id), ("followup_step_id", "!=", False)]
            ),
            1,
        )
        # The next reminder shows them: the customer's statement, its e-mail and its letter.
        with freeze_time("2025-02-16"):
            statement = self.env["account.followup"]._get_statement(self.customer, self.company)
            self.assertIn(
                (charges.name, "Late payment charges", 40.27),
                [(line["name"], line["reference"], line["amount"]) for line in statement["lines"]],
            )

    # ------------------------------------------------------------
    # OPT-OUTS
    # ------------------------------------------------------------

    @freeze_time("2025-03-07")
    def test_exempt_customer_is_never_charged(self):
        self.customer.with_company(self.company).followup_charges_exempt = True
        step = self._step(self.level_second, self.d("2025-03-07"))
        self.assertFalse(self._charge(step))
        self.assertFalse(step.charge_move_id)
        other = self.env["res.company"].create({"name": "Other company"})
        self.assertFalse(self.customer.with_company(other).followup_charges_exempt, "exempt per company")

    @freeze_time("2025-03-07")
    def test_excluded_or_disputed_invoice_is_not_charged(self):
        other = self._invoice(self.customer, 500.0, "2025-01-01", term=self.term_30)
        disputed = self._invoice(self.customer, 300.0, "2025-01-01", term=self.term_30)
        disputed._followup_open_dispute(
            self.env.ref("account_payment_followup.account_followup_dispute_reason_quality")
        )
        self.invoice.followup_excluded = True
        charges = self._charge(self._step(self.level_second, self.d("2025-03-07")))
        self.assertEqual(
            self._amounts(charges),
            # 500 × 10 % × 35 / 365 = 4.794 -> 4.79
            {("fee", False): 15.0, ("interest", other.name): 4.79, ("compensation", other.name): 40.0},
        )
        other.followup_excluded = True
        self.assertFalse(self._charge(self._step(self.level_notice, self.d("2025-04-01"))), "nothing to charge")

    @freeze_time("2025-03-07")
    def test_level_without_charges_and_invoices_not_overdue(self):
        self.assertFalse(self._charge(self._step(self.level_call, self.d("2025-03-07"))))
        # the invoice is not yet due on 20 January
        self.assertFalse(self._charge(self._step(self.level_second, self.d("2025-01-20"))))

    # ------------------------------------------------------------
    # NEVER TWICE
    # ------------------------------------------------------------

    @freeze_time("2025-04-01")
    def test_never_twice_for_a_step_nor_for_an_invoice(self):
        step = self._step(self.level_second, self.d("2025-03-07"))
        charges = self._charge(step)
        self.assertFalse(self._charge(step), "a re-run creates nothing")
        self.assertEqual(self.env["account.move"].search_count([("followup_step_id", "=", step.id)]), 1)
        # The next level: no second compensation; interest only after the days
        # already charged (8 March to 1 April, 25 days): 1000 × 10 % × 25 / 365 = 6.85.
        # The charges invoice itself, open and overdue, is not charged.
        later = self._charge(self._step(self.level_notice, self.d("2025-04-01")))
        self.assertEqual(self._amounts(later), {("interest", self.invoice.name): 6.85})
        self.assertNotIn(charges, later.invoice_line_ids.followup_charged_move_id)
        self.assertIn("25 days", later.invoice_line_ids.name)

    @freeze_time("2025-03-07")
    def test_database_refuses_a_second_invoice_or_compensation(self):
        step = self._step(self.level_second, self.d("2025-03-07"))
        charges = self._charge(step)
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self._invoice(self.customer, 10.0, "2025-03-07").followup_step_id = step
            self.env.flush_all()
        compensation = charges.invoice_line_ids.filtered(lambda line: line.followup_charge_type == "compensation")
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"), self.cr.savepoint():
            other = self._invoice(self.customer, 40.0, "2025-03-07", post=False)
            other.invoice_line_ids.write(
                {"followup_charge_type": "compensation", "followup_charged_move_id": self.invoice.id}
            )
            self.env.flush_all()
        self.assertEqual(compensation.followup_charged_move_id, self.invoice)

    @freeze_time("2025-03-07")
    def test_draft_for_review_then_deleted_releases_the_charges(self):
        self.company.followup_charges_auto_post = False
        step = self._step(self.level_second, self.d("2025-03-07"))
        charges = self._charge(step)
        self.assertEqual(charges.state, "draft")
        self.assertEqual(step.charge_move_id, charges)
        self.assertFalse(self._charge(step), "a draft is the step's charges invoice too")
        charges.unlink()
        self.assertFalse(step.charge_move_id)
        again = self._charge(self._step(self.level_notice, self.d("2025-03-07")))
        self.assertEqual(self._amounts(again)[("compensation", self.invoice.name)], 40.0)

    # ------------------------------------------------------------
    # WHAT THE CUSTOMER AND THE ACCOUNTANT SEE
    # ------------------------------------------------------------

    @freeze_time("2025-03-10")
    def test_charges_on_the_statement_letter_and_email(self):
        step = self._step(self.level_second, self.d("2025-03-07"))
        charges = self._charge(step)
        statement = self.env["account.followup"]._get_statement(self.customer, self.company)
        line = next(line for line in statement["lines"] if line["move_id"] == charges.id)
        self.assertEqual(line["reference"], "Late payment charges")
        self.assertEqual(line["amount"], 64.59)
        self.assertEqual(statement["totals"][0]["due"], 1064.59)
        report = self.env.ref("account_payment_followup.action_report_followup_letter")
        html = str(report.with_user(self.accountant)._render_qweb_html(report.report_name, self.customer.ids)[0])
        self.assertIn(f"{charges.name} (Late payment charges)", html)
        body = self.level_second.mail_template_id._render_field("body_html", self.customer.ids)[self.customer.id]
        self.assertIn(f"{charges.name} (Late payment charges)", str(body))
        # and in the history
        history = self.customer.with_user(self.accountant).action_followup_open_history()
        steps = self.env["account.followup.step"].with_user(self.accountant).search(history["domain"])
        self.assertEqual(steps.charge_move_id, charges)
        self.assertEqual(
            self.env["account.followup.step"].with_user(self.accountant).search([("charge_move_id", "!=", False)]),
            step,
        )

    @freeze_time("2025-03-10")
    def test_reversal_is_allowed_and_logged(self):
        charges = self._charge(self._step(self.level_second, self.d("2025-03-07")))
        wizard = (
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=charges.ids)
            .create({"reason": "Waived", "journal_id": charges.journal_id.id})
        )
        wizard.refund_moves()
        credit_note = self.env["account.move"].search([("reversed_entry_id", "=", charges.id)])
        self.assertEqual(credit_note.amount_total, 64.59)
        log = self.customer.message_ids.filtered(lambda m: "were reversed by" in (m.body or ""))
        self.assertEqual(len(log), 1)
        self.assertIn(charges.name, log.body)
        self.assertIn(self.accountant.name, log.body)
        self.assertFalse(any(credit_note.invoice_line_ids.mapped("followup_charge_type")), "it charges nothing")

    @freeze_time("2025-03-10")
    def test_reversal_of_several_entries_names_each_ones_credit_note(self):
        """Each reversal is paired with the entry it reverses (reversed_entry_id),
        whatever the order of the entries reversed together."""
        charges = self._charge(self._step(self.level_second, self.d("2025-03-07")))
        other = self._invoice(self.customer, 50.0, "2025-03-01")
        for moves in (other | charges, charges | other):
            with self.subTest(order=moves.mapped("name")), self.cr.savepoint(flush=True) as savepoint:
                self.env["account.move.reversal"].with_user(self.accountant).with_context(
                    active_model="account.move", active_ids=moves.ids
                ).create({"reason": "Waived", "journal_id": charges.journal_id.id}).refund_moves()
                credit_note = self.env["account.move"].search([("reversed_entry_id", "=", charges.id)])
                log = self.customer.message_ids.filtered(lambda m: "were reversed by" in (m.body or ""))
                self.assertEqual(len(log), 1, "the charges invoice only, once")
                self.assertIn(charges.name, log.body)
                self.assertIn(f'data-oe-id="{credit_note.id}"', log.body)
                savepoint.rollback()
                self.env.invalidate_all()

    @freeze_time("2025-03-10")
    def test_charges_leave_the_customer_contact_alone(self):
        """Computing charges locks the customer without writing its contact:
        its "Last Updated by" stays who last changed it."""
        self.customer.invalidate_recordset(["write_uid", "write_date"])
        before = (self.customer.write_uid, self.customer.write_date)
        self.assertNotEqual(before[0], self.accountant)
        self.assertTrue(self._charge(self._step(self.level_second, self.d("2025-03-07"))))
        self.env.flush_all()
        self.customer.invalidate_recordset(["write_uid", "write_date"])
        self.assertEqual((self.customer.write_uid, self.customer.write_date), before)

    # ------------------------------------------------------------
    # CONFIGURATION
    # ------------------------------------------------------------

    def test_level_and_settings_refuse_mistakes(self):
        with self.assertRaisesRegex(ValidationError, "enter its amount"):
            self.level_call.write({"charge_fee": True, "fee_amount": 0.0})
        with self.assertRaises(psycopg2.errors.CheckViolation), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.level_call.write({"charge_fee": False, "fee_amount": -5.0})
            self.level_call.flush_recordset()
        self.company.followup_interest_rate = 0.0
        with self.assertRaisesRegex(ValidationError, "first set the interest rate"):
            self.level_call.charge_interest = True

    def test_settings_and_defaults(self):
        company = self.env["res.company"].create({"name": "New company"})
        self.assertEqual(company.followup_compensation_amount, 40.0)
        self.assertTrue(company.followup_charges_auto_post)
        self.assertEqual(company.followup_fee_product_id, self.env.ref("account_payment_followup.product_followup_fee"))
        self.assertFalse(self.env.ref("account_payment_followup.product_followup_interest").taxes_id)
        settings = Form(self.env["res.config.settings"])
        settings.followup_interest_rate = 11.15
        settings.followup_compensation_amount = 45.0
        settings.save().execute()
        self.assertEqual(self.company.followup_interest_rate, 11.15)
        self.assertEqual(self.company.followup_compensation_amount, 45.0)
        level = Form(self.level_call)
        level.charge_fee = True
        level.fee_amount = 12.5
        level.charge_compensation = True
        level.save()
        self.assertEqual(self.level_call.fee_amount, 12.5)
