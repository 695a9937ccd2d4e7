"""What each step costs must not grow with the size of the data: the queries
of one customer's follow-up are the same with 1 or many invoices and with few
or many other customers; the status search takes a fixed number of queries.
Not timed (see dev/benchmark.py for the figures at 10,000 customers)."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import FollowupCommon

TODAY = "2026-03-02"
MANY = 40
# The queries one more customer adds to a batch of the scheduled action (this
# test class's levels: e-mail and letter; a call proposed to a person), 2026-12-02:
# lower them when they go down.
BATCH_QUERIES_PER_CUSTOMER = {"email": 31, "manual": 13}


@tagged("post_install", "-at_install")
class TestFollowupScale(FollowupCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        today = cls.d(TODAY)
        # For each kind of level, customers in the same situation: due for it
        # since 5 days (e-mail + letter) or 20 days (a call, proposed to a person).
        cls.customers = {}
        for kind, late in (("email", 5), ("manual", 20)):
            oldest = today - timedelta(days=late)
            for name in ("warmup", "one", "other"):
                partner = cls._create_customer(f"{kind} {name}", f"{kind}.{name}@customer.example.com")
                cls._invoices(partner, [oldest])
                cls.customers[kind, name] = partner
            # Many invoices, from the oldest to not yet due: their items reach
            # several levels, all recorded at once.
            many = cls._create_customer(f"{kind} many", f"{kind}.many@customer.example.com")
            cls._invoices(many, [oldest + timedelta(days=day) for day in range(MANY)])
            cls.customers[kind, "many"] = many

    @classmethod
    def _invoices(cls, partner, dates):
        """Posted invoices without payment term (due on their date), in one batch."""
        moves = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "invoice_date_due": day,
                    "date": day,
                    "invoice_line_ids": [
                        Command.create({"name": "Services", "quantity": 1, "price_unit": 100, "tax_ids": []})
                    ],
                }
                for day in dates
            ]
        )
        moves.action_post()
        return moves

    def _execute(self, partner):
        """One customer's follow-up as the scheduled action does it, from a
        cold record cache (each customer is its own transaction); returns the
        number of queries."""
        self.env.invalidate_all()
        followup = self.env["account.followup"]
        before = self.cr.sql_log_count
        with self.env.cr.savepoint(flush=True):
            done = followup._execute_partner(partner, self.company, self.d(TODAY))
        self.assertTrue(done, f"{partner.name} was due for a level")
        return self.cr.sql_log_count - before

    def _assert_same_cost(self, kind, partner, reference):
        """``partner``'s follow-up takes no more queries than ``reference``'s."""
        expected = self._execute(reference)
        with self.assertQueryCount(expected):
            count = self._execute(partner)
        self.assertLessEqual(count, expected, f"{partner.name}: {count} queries, {expected} for {reference.name}")

    @freeze_time(TODAY)
    def test_queries_per_customer_do_not_grow_with_its_invoices(self):
        for kind in ("email", "manual"):
            with self.subTest(kind=kind):
                self._execute(self.customers[kind, "warmup"])  # templates, views: once per process
                self._assert_same_cost(kind, self.customers[kind, "many"], self.customers[kind, "one"])
                if kind == "email":
                    items = self.customers[kind, "many"].invoice_ids.line_ids.filtered(
                        lambda line: line.account_type == "asset_receivable"
                    )
                    self.assertEqual(
                        set(items.followup_level_id.mapped("delay")),
                        {self.level_before.delay, self.level_first.delay},
                        "several levels recorded in one follow-up",
                    )

    def _execute_batch(self, partners):
        """These customers as one batch of the scheduled action, from a cold
        record cache; returns the number of queries."""
        self.env.invalidate_all()
        report = {}
        before = self.cr.sql_log_count
        with self.env.cr.savepoint(flush=True):
            self.env["account.followup"]._execute_followups(
                self.company, today=self.d(TODAY), report=report, partner_ids=partners.ids
            )
        self.assertEqual(len(report.get("done", [])), len(partners), f"{partners.mapped('name')} were due")
        return self.cr.sql_log_count - before

    @freeze_time(TODAY)
    def test_a_batch_shares_its_queries(self):
        """Within a batch, what the customers share (the template, the
        reminder's author and reply-to, the statement pages, the levels) is
        read once: a second customer costs less than the first, and one with
        40 invoices no more than one with 1."""
        for kind in ("email", "manual"):
            with self.subTest(kind=kind):
                self._execute_batch(self.customers[kind, "warmup"])  # templates, views: once per process
                one = self._execute_batch(self.customers[kind, "one"])
                many = self._execute_batch(self.customers[kind, "many"])
                self.assertLessEqual(many, one, "the same queries for 40 invoices as for 1")
                two = self._execute_batch(
                    self._create_due_customers(kind, 2),
                )
                self.assertLess(two, 2 * one, f"{kind}: 2 customers in {two} queries, 1 in {one}")
                self.assertLessEqual(
                    two - one,
                    BATCH_QUERIES_PER_CUSTOMER[kind],
                    f"{kind}: one more customer in a batch costs {two - one} queries",
                )

    def _create_due_customers(self, kind, count):
        late = 5 if kind == "email" else 20
        partners = self.env["res.partner"]
        for index in range(count):
            partner = self._create_customer(f"{kind} batch {index}", f"{kind}.batch{index}@customer.example.com")
            self._invoices(partner, [self.d(TODAY) - timedelta(days=late)])
            partners |= partner
        return partners

    @freeze_time(TODAY)
    def test_queries_per_customer_do_not_grow_with_other_customers(self):
        for kind in ("email", "manual"):
            self._execute(self.customers[kind, "warmup"])
        expected = {kind: self._execute(self.customers[kind, "one"]) for kind in ("email", "manual")}
        today = self.d(TODAY)
        for index in range(30):
            partner = self._create_customer(f"Other {index}", f"other{index}@customer.example.com")
            self._invoices(partner, [today - timedelta(days=5 + index)])
        for kind in ("email", "manual"):
            with self.subTest(kind=kind), self.assertQueryCount(expected[kind]):
                count = self._execute(self.customers[kind, "other"])
            self.assertLessEqual(count, expected[kind])

    @freeze_time(TODAY)
    def test_status_search_issues_a_bounded_number_of_queries(self):
        Partner = self.env["res.partner"]
        domain = [("followup_status", "=", "in_need_of_action")]
        Partner.search_count(domain)  # warm-up
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        count = Partner.search_count(domain)
        expected = self.cr.sql_log_count - before
        # The plans, then the search itself (the database classifies the customers);
        # the rest is the user's and the company's records read cold (time zone, rules).
        self.assertLessEqual(expected, 5, "the status search is one query after reading the plans")
        today = self.d(TODAY)
        for index in range(30):
            partner = self._create_customer(f"Other {index}", f"other{index}@customer.example.com")
            self._invoices(partner, [today - timedelta(days=5 + index)])
        self.env.invalidate_all()
        with self.assertQueryCount(expected):
            self.assertEqual(Partner.search_count(domain), count + 30)
        with self.assertQueryCount(expected + 1):  # + reading the page
            self.assertEqual(len(Partner.search(domain, limit=80)), min(count + 30, 80))

    @freeze_time(TODAY)
    def test_proposed_levels_do_not_fill_the_batches(self):
        """Customers due for a level a person does stay due until it is done:
        once proposed they must not take the place of the others in every batch,
        nor keep the scheduled action re-triggering itself."""
        followup = self.env["account.followup"]
        today = self.d(TODAY)
        for index in range(4):
            partner = self._create_customer(f"To call {index}", f"call{index}@customer.example.com")
            self._invoices(partner, [today - timedelta(days=20)])
        automated = self._create_customer("Late customer", "late@customer.example.com")
        self._invoices(automated, [today - timedelta(days=5)])
        runs = 0
        while followup._execute_followups(self.company, batch_size=2, today=today):
            runs += 1
            self.assertLess(runs, 20, "the scheduled action keeps re-triggering itself")
        self.assertTrue(self._followup_mails(automated), "the automated level is done")
        self.assertFalse(followup._execute_followups(self.company, batch_size=2, today=today))
