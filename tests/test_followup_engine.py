from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupEngine(FollowupCommon):
    def _status(self, partner):
        partner.invalidate_recordset()
        return partner.followup_status

    def test_not_due_then_each_level_in_turn(self):
        self._invoice(self.customer, 100, "2026-01-01", term=self.term_30)  # due 2026-01-31
        with freeze_time("2026-01-20"):
            self.assertEqual(self._status(self.customer), "no_action_needed")
            self.assertEqual(self.customer.followup_next_action_date, self.d("2026-01-28"))
        with freeze_time("2026-01-28"):
            self.assertEqual(self._status(self.customer), "in_need_of_action")
            self.assertEqual(self.customer.followup_level_id, self.level_before)
        with freeze_time("2026-02-02"):
            self.assertEqual(self._status(self.customer), "in_need_of_action")
            self.assertEqual(self.customer.followup_level_id, self.level_first)
            self.assertEqual(self.customer.total_due, 100)
            self.assertEqual(self.customer.total_overdue, 100)

    def test_no_payment_term_means_the_invoice_date(self):
        self._invoice(self.customer, 100, "2026-03-01")
        with freeze_time("2026-03-02"):
            self.assertEqual(self._status(self.customer), "in_need_of_action")
            self.assertEqual(self.customer.followup_level_id, self.level_first)

    def test_installments_are_chased_separately(self):
        move = self._invoice(self.customer, 200, "2026-01-01", term=self.term_installments)
        with freeze_time("2026-01-05"):
            statement = self.env["account.followup"]._get_statement(self.customer)
            self.assertEqual(len(statement["lines"]), 2)
            self.assertEqual(
                sorted((line["due_date"].isoformat(), line["amount"]) for line in statement["lines"]),
                [("2026-01-01", 100.0), ("2026-01-31", 100.0)],
            )
            self.assertTrue(all(line["move_id"] == move.id for line in statement["lines"]))
            self.assertEqual(self.customer.total_overdue, 100)
            self.assertEqual(self._status(self.customer), "in_need_of_action")

    def test_credit_note_nets_the_balance(self):
        self._invoice(self.customer, 100, "2026-01-01")
        self._invoice(self.customer, 100, "2026-01-02", move_type="out_refund")
        with freeze_time("2026-02-15"):
            self.assertEqual(self.customer.total_due, 0)
            self.assertEqual(self._status(self.customer), "no_action_needed")
            self.assertNotIn(
                self.customer,
                self.env["res.partner"].search([("followup_status", "=", "in_need_of_action")]),
            )

    def test_paid_invoice_is_not_chased(self):
        move = self._invoice(self.customer, 100, "2026-01-01")
        self._pay(move, 100, "2026-01-10")
        with freeze_time("2026-02-15"):
            self.assertEqual(self._status(self.customer), "no_action_needed")
            self.assertFalse(self.env["account.followup"]._get_statement(self.customer)["lines"])

    def test_partial_payment_leaves_the_rest_due(self):
        move = self._invoice(self.customer, 100, "2026-01-01")
        self._pay(move, 40, "2026-01-10")
        with freeze_time("2026-01-20"):
            self.assertEqual(self.customer.total_due, 60)
            self.assertEqual(self._status(self.customer), "in_need_of_action")

    def test_excluded_invoice_is_not_chased(self):
        move = self._invoice(self.customer, 100, "2026-01-01")
        move.followup_excluded = True
        self.assertTrue(
            all(move.line_ids.filtered(lambda line: line.account_type == "asset_receivable").mapped("blocked"))
        )
        with freeze_time("2026-02-15"):
            self.assertEqual(self._status(self.customer), "no_action_needed")
            self.assertEqual(self.customer.total_due, 100, "excluded, but still owed")
            self.assertEqual(self.customer.total_overdue, 0, "not chased")

    def test_expected_payment_date_postpones(self):
        move = self._invoice(self.customer, 100, "2026-01-01")
        move.expected_payment_date = "2026-02-20"
        with freeze_time("2026-02-15"):
            self.assertEqual(self._status(self.customer), "with_overdue_invoices")
            self.assertEqual(self.customer.followup_next_action_date, self.d("2026-02-20"))
        with freeze_time("2026-02-20"):
            self.assertEqual(self._status(self.customer), "in_need_of_action")
            self.assertEqual(self.customer.followup_level_id, self.level_second)

    def test_late_customer_gets_only_the_highest_reached_level(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-02-10"):  # 40 days late
            self.assertEqual(self.customer.followup_level_id, self.level_second)
            summary = self.env["account.followup"]._get_partner_summaries(self.company, self.customer.ids)
            self.assertEqual(summary[self.customer.id]["level"], self.level_second)

    def test_status_search_matches_the_computed_status(self):
        late = self._create_customer("Late", "late@example.com")
        soon = self._create_customer("Soon", "soon@example.com")
        postponed = self._create_customer("Postponed", "postponed@example.com")
        self._invoice(late, 100, "2026-01-01")
        self._invoice(soon, 100, "2026-02-01", term=self.term_30)
        self._invoice(postponed, 100, "2026-01-01").expected_payment_date = "2026-03-31"
        with freeze_time("2026-02-10"):
            Partner = self.env["res.partner"]
            need = Partner.search([("followup_status", "=", "in_need_of_action")])
            overdue = Partner.search([("followup_status", "=", "with_overdue_invoices")])
            nothing = Partner.search([("followup_status", "=", "no_action_needed"), ("id", "in", soon.ids)])
            self.assertIn(late, need)
            self.assertNotIn(postponed, need)
            self.assertIn(postponed, overdue)
            self.assertEqual(nothing, soon)
            for partner in late | soon | postponed:
                partner.invalidate_recordset()
                self.assertEqual(partner in Partner.search([("followup_status", "=", partner.followup_status)]), True)

    def test_multi_currency_totals_per_currency(self):
        gold = self.currency_data["currency"]
        self._invoice(self.customer, 100, "2026-01-01")
        self._invoice(self.customer, 300, "2026-01-01", currency=gold)
        with freeze_time("2026-02-10"):
            statement = self.env["account.followup"]._get_statement(self.customer)
            totals = {total["currency"]: total["due"] for total in statement["totals"]}
            self.assertEqual(totals[self.company.currency_id], 100)
            self.assertEqual(totals[gold], 300)
            gold_line = next(line for line in statement["lines"] if line["currency"] == gold)
            self.assertEqual(gold_line["amount"], 300)

    def test_only_the_company_own_items_count(self):
        other_company = self.company_data_2["company"]
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-02-10"):
            summaries = self.env["account.followup"]._get_partner_summaries(other_company)
            self.assertNotIn(self.customer.id, summaries)
            self.assertEqual(self.customer.with_company(other_company).total_due, 0)

    def test_search_customers_by_level(self):
        late = self._create_customer("Late", "late@example.com")
        self._invoice(late, 100, "2026-01-01")
        self._invoice(self.customer, 100, "2026-02-05")
        with freeze_time("2026-02-10"):
            Partner = self.env["res.partner"]
            self.assertEqual(Partner.search([("followup_level_id", "=", self.level_second.id)]), late)
            self.assertIn(self.customer, Partner.search([("followup_level_id", "ilike", self.level_first.name)]))
            self.assertNotIn(late, Partner.search([("followup_level_id", "=", False)]))

    def test_manual_mode_says_the_same_everywhere(self):
        """A customer in manual mode whose planned date has come: its status
        and next date, the searches on them, the statements screen and the
        level proposed agree; so do they for one who owes nothing."""
        owes_nothing = self._create_customer("Owes Nothing", "nothing@example.com")
        self._invoice(self.customer, 100, "2026-02-01")
        with freeze_time("2026-02-02"):
            self._execute_level(self.customer, self.level_first)
        (self.customer | owes_nothing).write(
            {"followup_reminder_type": "manual", "followup_planned_date": "2026-02-10"}
        )
        with freeze_time("2026-02-10"):
            self.env.invalidate_all()
            Partner = self.env["res.partner"]
            self.assertEqual(self.customer.followup_status, "in_need_of_action", "the planned date has come")
            self.assertEqual(owes_nothing.followup_status, "no_action_needed", "it owes nothing")
            for partner in self.customer | owes_nothing:
                self.assertEqual(partner.followup_next_action_date, date(2026, 2, 10))
            self.assertIn(self.customer, Partner.search([("followup_status", "=", "in_need_of_action")]))
            self.assertIn(owes_nothing, Partner.search([("followup_status", "=", "no_action_needed")]))
            self.assertEqual(
                Partner.search([("followup_next_action_date", "=", "2026-02-10")]) & (self.customer | owes_nothing),
                self.customer | owes_nothing,
            )
            rows = self.env["account.followup.statement"].get_customers(filter_name="action")["customers"]
            self.assertIn("Customer One", [row["name"] for row in rows])
            situation = self.env["account.followup"]._get_situation(self.customer, self.company)
            self.assertEqual(situation.status, "in_need_of_action")
            self.assertEqual(situation.level, self.level_first, "what a person is proposed: the level reached")
            due = self.env["account.followup"]._get_due_followups(self.company, date(2026, 2, 10))
            self.assertNotIn(self.customer, [partner for partner, _level in due], "a person chases it, not the run")

    def test_what_can_be_chased_is_the_same_for_every_reader(self):
        """Invoices on hold, excluded, in dispute, promised or plain: the
        customer's overdue amount, its statement, its page and its follow-up
        step agree on which of them are chased."""
        disputed = self._invoice(self.customer, 100, "2026-01-05")
        disputed._followup_open_dispute(
            self.env.ref("account_payment_followup.account_followup_dispute_reason_quality")
        )
        excluded = self._invoice(self.customer, 200, "2026-01-06")
        excluded.followup_excluded = True
        on_hold = self._invoice(self.customer, 300, "2026-01-07")
        on_hold.line_ids.filtered(lambda line: line.account_type == "asset_receivable").blocked = True
        promised = self._invoice(self.customer, 400, "2026-01-08")
        promised.expected_payment_date = "2026-02-20"
        plain = self._invoice(self.customer, 500, "2026-01-09")
        with freeze_time("2026-02-10"):
            self.env.invalidate_all()
            self.assertEqual(self.customer.total_due, 1500)
            self.assertEqual(self.customer.total_overdue, 900, "the promised and the plain invoices")
            statement = self.env["account.followup"]._get_statement(self.customer, self.company)
            late = {line["move_id"] for line in statement["lines"] if line["days_late"]}
            self.assertEqual(late, set((promised | plain).ids))
            self.assertEqual(statement["totals"][0]["overdue"], 900)
            page = self.env["account.followup.statement.page"]._get_page(self.customer, self.company)
            self.assertEqual(page._get_promise_moves(statement), promised | plain)
            self.assertEqual(page._get_dispute_moves(statement), promised | plain)
            situation = self.env["account.followup"]._get_situation(self.customer, self.company)
            self.assertEqual(situation.items.move_id, plain, "the promise postpones the other one")
            self.assertEqual(
                self.customer.followup_next_action_date,
                date(2026, 1, 24),
                "the call, 15 days after the plain one's due date",
            )

    def test_manual_mode_is_per_company(self):
        other_company = self.company_data_2["company"]
        self.assertEqual(self.customer.followup_reminder_type, "automatic")
        self.customer.write({"followup_reminder_type": "manual", "followup_planned_date": "2026-03-01"})
        in_other = self.customer.with_company(other_company)
        self.assertEqual(in_other.followup_reminder_type, "automatic")
        self.assertFalse(in_other.followup_planned_date)
