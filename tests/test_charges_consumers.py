from freezegun import freeze_time

from odoo.tests import tagged

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestChargesConsumers(FollowupCommon):
    """Businesses and consumers (issue 24, items 4 to 6), against figures
    worked out by hand.

    The company is in the statutory regime with a margin of 8 (10.15% in the
    second half of 2025, 11.15% in the first) and charges consumers 4.00%.
    A consumer owes neither the statutory rate nor the 40.00 compensation;
    after a 14-day notice that reached them, the collection costs of the BIK
    scale: on 3,000.00, 15% of 2,500 + 10% of 500 = 375.00 + 50.00 = 425.00."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.company.write(
            {
                "followup_interest_type": "statutory",
                "followup_interest_rate": 0.0,
                "followup_statutory_margin": 8.0,
                "followup_statutory_round_up": False,
                "followup_consumer_interest_rate": 4.0,
                "followup_compensation_amount": 40.0,
                "followup_collection_costs_vat": False,
            }
        )
        # The second level charges interest and the compensation; the first one
        # (1 day after the due date: e-mail and letter) gives the 14-day notice;
        # the call (15 days) charges the collection costs.
        cls.level_second.write({"charge_interest": True, "charge_compensation": True})
        cls.level_first.write({"consumer_notice": True})
        cls.level_call.write({"charge_consumer_costs": True})
        cls.netherlands = cls.env.ref("base.nl")
        cls.consumer = cls._create_customer(
            "Jan Jansen",
            "jan@consumer.example.com",
            is_company=False,
            street="Dorpsstraat 1",
            city="Utrecht",
            zip="3511 AA",
            country_id=cls.netherlands.id,
            lang="nl_NL",
        )
        cls.consumer.followup_debtor_type = "consumer"

    def _step(self, partner, level, day):
        return self._record_charging_step(partner, level, self.d(day))

    def _charge(self, partner, level, day):
        """The charges invoice of a step of ``level`` on ``day``, by the billing user."""
        return self._step(partner, level, day).with_user(self.accountant)._create_charges_invoice()

    @staticmethod
    def _lines(charges, charge_type):
        return charges.invoice_line_ids.filtered(lambda line: line.followup_charge_type == charge_type)

    def _notify(self, partner, day):
        """The first level (with the 14-day notice) done for ``partner`` on ``day``: its e-mail and letter."""
        with freeze_time(day):
            return self._execute_level(partner, self.level_first)

    # ------------------------------------------------------------
    # BUSINESSES AND CONSUMERS
    # ------------------------------------------------------------

    @freeze_time("2025-08-30")
    def test_consumer_gets_the_consumer_rate_and_no_compensation(self):
        self._invoice(self.consumer, 1000.0, "2025-06-01")
        charges = self._charge(self.consumer, self.level_second, "2025-08-30")
        # 2 June to 30 August: 90 days at 4.00%: 1000 × 0.04 × 90 / 365 = 9.8630 -> 9.86
        self.assertEqual(self._lines(charges, "interest").price_unit, 9.86)
        # the line in the customer's language
        self.assertIn("90 dagen tegen 4,00% per jaar", self._lines(charges, "interest").name)
        self.assertFalse(self._lines(charges, "compensation"), "no 40.00 compensation for a consumer")
        self.assertAlmostEqual(charges.amount_total, 9.86, places=2)

    @freeze_time("2025-08-30")
    def test_business_statutory_rate_and_compensation_unchanged(self):
        self._invoice(self.customer, 1000.0, "2025-06-01")
        charges = self._charge(self.customer, self.level_second, "2025-08-30")
        # 29 days at 11.15% + 61 days at 10.15%: 8.8589 + 16.9630 = 25.82; compensation 40.00
        self.assertEqual(self._lines(charges, "interest").price_unit, 25.82)
        self.assertEqual(self._lines(charges, "compensation").price_unit, 40.0)
        self.assertAlmostEqual(charges.amount_total, 65.82, places=2)

    @freeze_time("2025-08-30")
    def test_consumer_rate_in_the_fixed_regime_too_and_zero_means_no_interest(self):
        self.company.write({"followup_interest_type": "fixed", "followup_interest_rate": 10.0})
        self._invoice(self.consumer, 1000.0, "2025-06-01")
        charges = self._charge(self.consumer, self.level_second, "2025-08-30")
        self.assertEqual(self._lines(charges, "interest").price_unit, 9.86, "4.00%, not the company's 10.00%")
        self.company.followup_consumer_interest_rate = 0.0
        self.assertFalse(
            self._charge(self.consumer, self.level_second, "2025-08-31"),
            "consumer rate 0: no interest, no compensation, no charges invoice",
        )

    @freeze_time("2025-08-30")
    def test_preview_and_statements_screen_say_what_will_be_charged_and_why(self):
        self._invoice(self.customer, 1000.0, "2025-06-01")
        self._invoice(self.consumer, 1000.0, "2025-06-01")
        Step = self.env["account.followup.step"].with_user(self.accountant)
        items = self.env["account.move.line"].search(
            self.env["account.followup"]._get_open_items_domain(self.company, self.customer)
        )
        business = Step._get_charges_summary(self.customer, self.level_second, self.d("2025-08-30"), items)
        self.assertIn("Business: interest at 10.15% (statutory, business)", business)
        self.assertIn("compensation $\xa040.00 per invoice", business)
        self.assertIn("To be charged now: $\xa065.82", business)
        consumer_items = self.env["account.move.line"].search(
            self.env["account.followup"]._get_open_items_domain(self.company, self.consumer)
        )
        consumer = Step._get_charges_summary(self.consumer, self.level_second, self.d("2025-08-30"), consumer_items)
        self.assertEqual(
            consumer,
            "Consumer: interest at 4.00% (the consumer rate); no compensation (consumer). To be charged now: $\xa09.86",
        )
        # 90 days late: both customers are due for the 60-day level, made to charge the same
        self.level_notice.write({"charge_interest": True, "charge_compensation": True})
        screen = (
            self.env["account.followup.statement"]
            .with_user(self.accountant)
            .with_context(lang="en_US")
            .get_statement(self.consumer.id)
        )
        self.assertEqual(screen["level"]["name"], self.level_notice.name)
        self.assertEqual(screen["level"]["charges"], consumer)
        preview = self.env["account.followup.preview"].with_user(self.accountant).create({})
        self.assertIn(consumer, preview.preview_html)
        self.assertIn(business, preview.preview_html)
        self.assertFalse(self.env["account.move"].search([("followup_step_id", "!=", False)]), "nothing charged")
        self.assertFalse(self.env["account.followup.step"].search([]), "nothing recorded")

    # ------------------------------------------------------------
    # THE 14-DAY NOTICE
    # ------------------------------------------------------------

    def test_notice_in_the_dutch_email_with_the_amount(self):
        self._invoice(self.consumer, 3000.0, "2025-06-01")
        step = self._notify(self.consumer, "2025-06-02")
        body = self._followup_mails(self.consumer).body_html
        self.assertIn(
            "binnen veertien dagen vanaf de dag na ontvangst van deze aanmaning, dan bent u buitengerechtelijke "
            "incassokosten verschuldigd van $&nbsp;425,00.",
            body,
        )
        self.assertEqual(step.notice_amount, 425.0)
        self.assertEqual(step.notice_date, self.d("2025-06-02"), "an e-mail reaches the customer the day it is sent")

    def test_notice_in_the_english_email_and_none_for_a_business(self):
        self.consumer.lang = "en_US"
        self._invoice(self.consumer, 3000.0, "2025-06-01")
        self._invoice(self.customer, 3000.0, "2025-06-01")
        self._notify(self.consumer, "2025-06-02")
        business_step = self._notify(self.customer, "2025-06-02")
        self.assertIn(
            "within fourteen days from the day after you receive this reminder, you will owe extrajudicial "
            "collection costs of $&nbsp;425.00.",
            self._followup_mails(self.consumer).body_html,
        )
        self.assertNotIn("fourteen days", self._followup_mails(self.customer).body_html)
        self.assertFalse(business_step.notice_amount)

    def test_notice_in_the_letter(self):
        self._invoice(self.consumer, 12000.0, "2025-06-01")
        report = self.env.ref("account_payment_followup.action_report_followup_letter")
        with freeze_time("2025-06-02"):
            html, _type = self.env["ir.actions.report"]._render_qweb_html(report, self.consumer.ids)
        # 375 + 250 + 5% of 5,000 + 1% of 2,000 = 375 + 250 + 250 + 20 = 895.00
        self.assertIn(
            "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd, dan bent u "
            "buitengerechtelijke incassokosten verschuldigd van $\xa0895,00.",
            html.decode(),
        )

    # ------------------------------------------------------------
    # THE COLLECTION COSTS
    # ------------------------------------------------------------

    def test_costs_from_the_15th_day_after_an_email_notice_once(self):
        invoice = self._invoice(self.consumer, 3000.0, "2025-06-01")
        self._notify(self.consumer, "2025-06-02")
        # the 14 days: 3 to 16 June
        self.assertFalse(self._lines(self._charge(self.consumer, self.level_call, "2025-06-16"), "collection_costs"))
        charges = self._charge(self.consumer, self.level_call, "2025-06-17")
        costs = self._lines(charges, "collection_costs")
        self.assertEqual(costs.price_unit, 425.0)
        self.assertFalse(costs.tax_ids, "no VAT without the company's setting")
        self.assertIn(invoice.name, costs.name)
        self.assertEqual(charges.amount_total, 425.0)
        self.assertFalse(
            self._charge(self.consumer, self.level_call, "2025-07-20"), "once per notice: nothing the second time"
        )
        # on the history and in the analysis
        notice = costs.followup_notice_step_id
        self.assertEqual(notice.notice_costs_line_ids, costs)
        row = self.env["account.followup.effectiveness.report"].search(
            [("step_id", "=", notice.id), ("with_notice", "=", True)]
        )
        self.assertEqual((row.notice_amount, row.collection_costs), (425.0, 425.0))

    def test_letter_notice_counts_from_two_days_after_printing(self):
        self.consumer.email = False
        self._invoice(self.consumer, 3000.0, "2025-06-01")
        with freeze_time("2025-06-02"):
            self.consumer.with_user(self.accountant).action_followup_print_letter()
        step = self.env["account.followup.step"].search([("partner_id", "=", self.consumer.id)])
        self.assertEqual(step.notice_date, self.d("2025-06-04"), "printed on 2 June, received on 4 June")
        self.assertFalse(self._lines(self._charge(self.consumer, self.level_call, "2025-06-18"), "collection_costs"))
        costs = self._lines(self._charge(self.consumer, self.level_call, "2025-06-19"), "collection_costs")
        self.assertEqual(costs.price_unit, 425.0)

    def test_no_costs_without_a_notice_nor_for_a_notice_not_delivered(self):
        self._invoice(self.consumer, 3000.0, "2025-06-01")
        self.assertFalse(
            self._charge(self.consumer, self.level_call, "2025-07-01"), "no notice, no costs (and no other charge)"
        )
        # a notice that could not be delivered: no e-mail address, no postal address
        self.consumer.write({"email": False, "street": False, "city": False, "zip": False})
        step = self._notify(self.consumer, "2025-07-02")
        self.assertEqual(step.notice_amount, 425.0, "the level gave the notice...")
        self.assertFalse(step.notice_date, "...which reached nobody")
        self.assertFalse(self._charge(self.consumer, self.level_call, "2025-08-01"))
        self.assertFalse(
            self.env["account.followup.effectiveness.report"].search(
                [("step_id", "=", step.id), ("with_notice", "=", True)]
            )
        )

    def test_no_costs_when_paid_and_never_to_a_business(self):
        invoice = self._invoice(self.consumer, 3000.0, "2025-06-01")
        self._notify(self.consumer, "2025-06-02")
        self._pay(invoice, 3000.0, "2025-06-10")
        self.assertFalse(self._charge(self.consumer, self.level_call, "2025-06-17"), "paid within the 14 days")
        # a business: no notice, no costs, even when the level charges them
        self._invoice(self.customer, 3000.0, "2025-06-01")
        self._notify(self.customer, "2025-06-02")
        self.assertFalse(self._charge(self.customer, self.level_call, "2025-06-17"))

    def test_vat_on_costs_only_with_the_setting(self):
        self.company.followup_collection_costs_vat = True
        self._invoice(self.consumer, 3000.0, "2025-06-01")
        step = self._notify(self.consumer, "2025-06-02")
        self.assertIn("425,00, vermeerderd met btw.", self._followup_mails(self.consumer).body_html)
        self.assertEqual(step.notice_amount, 425.0)
        charges = self._charge(self.consumer, self.level_call, "2025-06-17")
        costs = self._lines(charges, "collection_costs")
        tax = self.company.account_sale_tax_id
        self.assertEqual(costs.tax_ids, tax)
        self.assertEqual(costs.price_subtotal, 425.0)
        self.assertAlmostEqual(charges.amount_total, 425.0 * (1 + tax.amount / 100.0), places=2)
