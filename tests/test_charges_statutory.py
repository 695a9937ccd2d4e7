from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import BaseCase, Form, new_test_user, tagged

from ..followup.collection_costs import bik_collection_costs
from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestStatutoryInterest(FollowupCommon):
    """Statutory interest between businesses (Directive 2011/7/EU): the ECB's
    reference rate of each half-year plus the margin, simple interest, actual
    days / 365, against figures worked out by hand.

    The reference rates shipped with the addon: 4.50 on 1 January 2024, 4.25
    on 1 July 2024, 3.15 on 1 January 2025, 2.15 on 1 July 2025; so with a
    margin of 8, 12.50%, 12.25%, 11.15% and 10.15%."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.company.write(
            {
                "followup_interest_type": "statutory",
                "followup_interest_rate": 0.0,
                "followup_statutory_margin": 8.0,
                "followup_statutory_round_up": False,
            }
        )
        cls.level_second.write({"charge_interest": True})
        cls.level_notice.write({"charge_interest": True})
        cls.manager = new_test_user(
            cls.env,
            login="mark.manager",
            groups="account.group_account_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _step(self, level, day):
        return self._record_charging_step(self.customer, level, day)

    def _charge(self, level, day):
        """The charges invoice of a step of ``level`` on ``day``, created by the billing user."""
        return self._step(level, self.d(day)).with_user(self.accountant)._create_charges_invoice()

    def _interest_lines(self, charges):
        return charges.invoice_line_ids.filtered(lambda line: line.followup_charge_type == "interest")

    # ------------------------------------------------------------
    # AMOUNTS
    # ------------------------------------------------------------

    @freeze_time("2025-08-30")
    def test_interest_of_each_half_year_and_the_label_says_so(self):
        """The issue's example: 1,000.00 due on 1 June 2025, charged on 30 August 2025."""
        invoice = self._invoice(self.customer, 1000.0, "2025-06-01")
        charges = self._charge(self.level_second, "2025-08-30")
        interest = self._interest_lines(charges)
        # 2 to 30 June: 29 days at 3.15 + 8 = 11.15%; 1 July to 30 August: 61 days at 2.15 + 8 = 10.15%
        # 1000 × (11.15 × 29 + 10.15 × 61) / 100 / 365 = 8.8589 + 16.9630 = 25.8219 -> 25.82
        self.assertEqual(round(interest.price_unit, 6), 25.82)
        self.assertEqual(charges.amount_total, 25.82)
        self.assertEqual(
            interest.name,
            f"Late-payment interest on {invoice.name} at the statutory rate a year: "
            "29 days at 11.15% from 06/02/2025 to 06/30/2025, 61 days at 10.15% from 07/01/2025 to 08/30/2025",
        )
        self.assertEqual(interest.followup_charged_move_id, invoice)
        self.assertEqual(
            (interest.followup_interest_date_from, interest.followup_interest_date_to),
            (self.d("2025-06-01"), self.d("2025-08-30")),
        )
        # The next charge goes on from the day after: 31 August to 30 September, 31 days at 10.15%:
        # 1000 × 10.15 × 31 / 100 / 365 = 8.6205 -> 8.62
        later = self._interest_lines(self._charge(self.level_notice, "2025-09-30"))
        self.assertEqual(round(later.price_unit, 6), 8.62)
        self.assertIn("31 days at 10.15% from 08/31/2025 to 09/30/2025", later.name)

    @freeze_time("2024-07-10")
    def test_half_year_switch_and_a_leap_year_day_is_1_365(self):
        self._invoice(self.customer, 1000.0, "2024-06-20")
        interest = self._interest_lines(self._charge(self.level_second, "2024-07-10"))
        # 21 to 30 June 2024: 10 days at 4.50 + 8 = 12.50%; 1 to 10 July: 10 days at 4.25 + 8 = 12.25%
        # 1000 × (12.50 × 10 + 12.25 × 10) / 100 / 365 = 6.7808 -> 6.78 (6.76 with 366 days in 2024)
        self.assertEqual(round(interest.price_unit, 6), 6.78)
        self.assertIn("10 days at 12.50% from 06/21/2024 to 06/30/2024", interest.name)
        self.assertIn("10 days at 12.25% from 07/01/2024 to 07/10/2024", interest.name)

    @freeze_time("2025-08-30")
    def test_partial_payment_in_the_middle(self):
        invoice = self._invoice(self.customer, 1000.0, "2025-06-01")
        self._pay(invoice, 400.0, "2025-07-15")
        interest = self._interest_lines(self._charge(self.level_second, "2025-08-30"))
        # 2 to 30 June on 1000 at 11.15% (29 days), 1 to 14 July on 1000 at 10.15% (14 days),
        # 15 July to 30 August on 600 at 10.15% (47 days):
        # (1000 × 29 × 11.15 + 1000 × 14 × 10.15 + 600 × 47 × 10.15) / 100 / 365 = 20.5940 -> 20.59
        self.assertEqual(round(interest.price_unit, 6), 20.59)
        # the label gives the half-years' days and rates, whatever the base
        self.assertIn("29 days at 11.15%", interest.name)
        self.assertIn("61 days at 10.15%", interest.name)

    @freeze_time("2025-08-30")
    def test_installments_each_from_its_own_due_date(self):
        invoice = self._invoice(self.customer, 1000.0, "2025-06-01", term=self.term_installments)
        interest = self._interest_lines(self._charge(self.level_second, "2025-08-30"))
        # 500 due on 1 June: 500 × (11.15 × 29 + 10.15 × 61) / 100 / 365 = 12.9110 -> 12.91
        # 500 due on 1 July: 2 July to 30 August, 60 days: 500 × 10.15 × 60 / 100 / 365 = 8.3425 -> 8.34
        self.assertEqual(sorted(round(price, 6) for price in interest.mapped("price_unit")), [8.34, 12.91])
        self.assertEqual(interest.followup_charged_move_id, invoice)

    @freeze_time("2025-08-30")
    def test_belgium_rounds_up_to_the_half_point(self):
        self.company.followup_statutory_round_up = True
        self._invoice(self.customer, 1000.0, "2025-06-01")
        interest = self._interest_lines(self._charge(self.level_second, "2025-08-30"))
        # 11.15 -> 11.50 and 10.15 -> 10.50:
        # 1000 × (11.50 × 29 + 10.50 × 61) / 100 / 365 = 26.6849 -> 26.68
        self.assertEqual(round(interest.price_unit, 6), 26.68)
        self.assertIn("29 days at 11.50% from 06/02/2025 to 06/30/2025", interest.name)
        self.assertIn("61 days at 10.50% from 07/01/2025 to 08/30/2025", interest.name)

    def test_rates_of_the_half_years_of_2024_and_2025(self):
        rates = self.env["account.followup.reference.rate"]._get_rates()
        half_years = ["2024-01-01", "2024-07-01", "2025-01-01", "2025-07-01"]
        expected = {False: [12.50, 12.25, 11.15, 10.15], True: [12.50, 12.50, 11.50, 10.50]}
        for round_up, figures in expected.items():
            self.company.followup_statutory_round_up = round_up
            with self.subTest(belgium=round_up):
                self.assertEqual(
                    [round(self.company._get_followup_statutory_rate(self.d(day), rates), 4) for day in half_years],
                    figures,
                )
        # the rate in force on the half-year's first day, whatever changed later in it
        self.assertEqual(round(self.company._get_followup_statutory_rate(self.d("2025-06-30"), rates), 4), 11.50)

    @freeze_time("2016-02-01")
    def test_no_reference_rate_known_stops_the_charge(self):
        self._invoice(self.customer, 1000.0, "2016-01-10")
        step = self._step(self.level_second, self.d("2016-02-01"))
        with self.assertRaisesRegex(UserError, "No late-payment reference rate is known on 01/01/2016"):
            step.with_user(self.accountant)._create_charges_invoice()
        self.assertFalse(step.charge_move_id)

    @freeze_time("2025-08-30")
    def test_consumer_rate_for_consumers_none_when_zero(self):
        """What the consumers' regime gives (used once customers are told apart)."""
        periods = self.company._get_followup_interest_periods(self.d("2025-06-01"), self.d("2025-08-30"), consumer=True)
        self.assertEqual(periods, [], "0: no interest for consumers")
        self.company.followup_consumer_interest_rate = 4.0
        periods = self.company._get_followup_interest_periods(self.d("2025-06-01"), self.d("2025-08-30"), consumer=True)
        self.assertEqual(periods, [(self.d("2025-06-02"), self.d("2025-08-30"), 4.0, 365)])

    # ------------------------------------------------------------
    # CONFIGURATION
    # ------------------------------------------------------------

    def test_margin_and_rounding_come_from_the_country(self):
        for code, margin, round_up in (("NL", 8.0, False), ("DE", 9.0, False), ("FR", 10.0, False), ("BE", 8.0, True)):
            with self.subTest(country=code):
                company = self.env["res.company"].create(
                    {"name": f"Company {code}", "country_id": self.env.ref(f"base.{code.lower()}").id}
                )
                self.assertEqual(company.followup_statutory_margin, margin)
                self.assertEqual(company.followup_statutory_round_up, round_up)
                self.assertEqual(company.followup_interest_type, "fixed", "today's regime stays the default")
                self.assertEqual(company.followup_consumer_interest_rate, 0.0)
                self.assertFalse(company.followup_collection_costs_vat, "no VAT on collection costs by default")

    def test_settings_and_level_accept_the_statutory_regime(self):
        self.company.followup_interest_type = "fixed"
        with self.assertRaisesRegex(ValidationError, "first set the interest rate"):
            self.level_call.charge_interest = True
        settings = Form(self.env["res.config.settings"])
        settings.followup_interest_type = "statutory"
        settings.followup_statutory_margin = 9.0
        settings.followup_statutory_round_up = True
        settings.followup_consumer_interest_rate = 4.0
        settings.followup_collection_costs_vat = True
        settings.save().execute()
        self.assertEqual(self.company.followup_interest_type, "statutory")
        self.assertEqual(self.company.followup_statutory_margin, 9.0)
        self.assertTrue(self.company.followup_statutory_round_up)
        self.assertEqual(self.company.followup_consumer_interest_rate, 4.0)
        self.assertTrue(self.company.followup_collection_costs_vat)
        # the statutory regime needs no fixed rate
        self.level_call.charge_interest = True
        self.assertTrue(self.level_call.charge_interest)

    def test_accountants_extend_the_reference_rates_billing_users_read_them(self):
        Rate = self.env["account.followup.reference.rate"]
        self.assertEqual(
            Rate.with_user(self.accountant).search([("date", ">=", "2024-12-01")]).mapped("rate"),
            [2.15, 2.40, 2.65, 2.90, 3.15],
        )
        with self.assertRaises(AccessError):
            Rate.with_user(self.accountant).create({"date": "2026-07-01", "rate": 2.0})
        Rate.with_user(self.manager).create({"date": "2026-07-01", "rate": 2.0})
        rates = Rate._get_rates()
        self.assertEqual(self.company._get_followup_statutory_rate(self.d("2026-07-01"), rates), 10.0)
        self.assertEqual(self.company._get_followup_statutory_rate(self.d("2026-06-30"), rates), 10.15)
        menu = self.env.ref("account_payment_followup.account_followup_reference_rate_menu")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.manager)._visible_menu_ids())
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.accountant)._visible_menu_ids())


@tagged("post_install", "-at_install")
class TestCollectionCosts(BaseCase):
    """The Dutch scale of extrajudicial collection costs (BIK), worked out by hand."""

    def test_bik_scale(self):
        cases = {
            100.0: 40.00,  # 15 % = 15, at least 40
            266.67: 40.00,  # 15 % = 40.0005, the minimum still
            2500.0: 375.00,  # 15 % of 2,500
            3000.0: 425.00,  # 375 + 10 % of 500
            12000.0: 895.00,  # 375 + 250 + 250 + 1 % of 2,000
            200000.0: 2775.00,  # 375 + 250 + 250 + 1,900
            1000000.0: 6775.00,  # 2,775 + 0.5 % of 800,000 = 6,775, the maximum
            2000000.0: 6775.00,  # at most 6,775
            0.0: 0.0,  # nothing claimed, nothing charged
        }
        for principal, costs in cases.items():
            with self.subTest(principal=principal):
                self.assertEqual(bik_collection_costs(principal), costs)
