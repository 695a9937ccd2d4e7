"""The follow-up status worked out by the database (the status search and the
statements screen's filters, sorts and pages) says what the customer's form
says: manual mode with a planned date, a promise, a dispute, a level already
received, the customer's plan (by filter or chosen by a person)."""

from freezegun import freeze_time

from odoo.tests import tagged

from ..followup.definitions import STATUS_ACTION, STATUS_NONE, STATUS_OVERDUE
from .test_followup_plans import PlansCommon

TODAY = "2026-02-10"


@tagged("post_install", "-at_install")
class TestStatusesInSql(PlansCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        create = cls._create_customer
        cls.expected = {}

        def customer(name, status, **vals):
            partner = create(name, f"{name.split()[0].lower()}@status.example.com", **vals)
            cls.expected[partner] = status
            return partner

        # 40 days late: the default plan's 35-day level is due.
        cls.late = customer("Late Company", STATUS_ACTION)
        cls._invoice(cls.late, 100, "2026-01-01")
        # Promised for March: overdue, not chased.
        cls.promised = customer("Promised Company", STATUS_OVERDUE)
        cls.promised_invoice = cls._invoice(cls.promised, 100, "2026-01-01")
        # Its only late invoice in dispute: nothing to chase, nothing overdue.
        cls.disputed = customer("Disputed Company", STATUS_NONE)
        cls.disputed_invoice = cls._invoice(cls.disputed, 100, "2026-01-01")
        # A disputed invoice and another 5 days late: the other one is chased.
        cls.half_disputed = customer("Halfdisputed Company", STATUS_ACTION)
        cls.half_disputed_invoice = cls._invoice(cls.half_disputed, 100, "2026-01-01")
        cls._invoice(cls.half_disputed, 50, "2026-02-05")
        # Manual mode, the planned date passed: due, though nothing is late.
        cls.planned_past = customer(
            "Plannedpast Company",
            STATUS_ACTION,
            followup_reminder_type="manual",
            followup_planned_date="2026-02-05",
        )
        cls._invoice(cls.planned_past, 100, "2026-02-01", term=cls.term_30)
        # Manual mode, planned for later: 40 days late but not due.
        cls.planned_later = customer(
            "Plannedlater Company",
            STATUS_OVERDUE,
            followup_reminder_type="manual",
            followup_planned_date="2026-03-01",
        )
        cls._invoice(cls.planned_later, 100, "2026-01-01")
        # Manual mode without a date: not due.
        cls.manual_undated = customer("Undated Company", STATUS_OVERDUE, followup_reminder_type="manual")
        cls._invoice(cls.manual_undated, 100, "2026-01-01")
        # Manual mode, planned, but its invoice and credit note balance.
        cls.planned_netted = customer(
            "Netted Company",
            STATUS_NONE,
            followup_reminder_type="manual",
            followup_planned_date="2026-02-05",
        )
        cls._invoice(cls.planned_netted, 100, "2026-01-01")
        cls._invoice(cls.planned_netted, 100, "2026-01-02", move_type="out_refund")
        # A consumer 5 days late: the consumers' plan starts at 10 days.
        cls.consumer = customer("Connie Consumer", STATUS_OVERDUE, is_company=False)
        cls._invoice(cls.consumer, 100, "2026-02-05")
        # A consumer a person put on the default plan: its 1-day level is due.
        cls.chosen = customer("Chris Chosen", STATUS_ACTION, is_company=False)
        cls.chosen.with_company(cls.company).followup_plan_id = cls.default_plan
        cls._invoice(cls.chosen, 100, "2026-02-05")
        # 5 days late, the 1-day level already received: nothing more is due.
        cls.received = customer("Received Company", STATUS_OVERDUE)
        cls._invoice(cls.received, 100, "2026-02-05")
        # Nothing late yet.
        cls.early = customer("Early Company", STATUS_NONE)
        cls._invoice(cls.early, 100, "2026-02-01", term=cls.term_30)

    def setUp(self):
        super().setUp()
        with freeze_time(TODAY):
            self.promised_invoice._followup_promise(self.d("2026-03-01"))
            self.disputed_invoice.with_user(self.accountant)._followup_open_dispute(self.quality, "Broken")
            self.half_disputed_invoice.with_user(self.accountant)._followup_open_dispute(self.quality, "Broken")
            self._execute_level(self.received, self.level_first)

    @property
    def quality(self):
        return self.env.ref("account_payment_followup.account_followup_dispute_reason_quality")

    @freeze_time(TODAY)
    def test_status_search_finds_what_the_forms_say(self):
        Partner = self.env["res.partner"].with_user(self.accountant)
        ours = Partner.browse([partner.id for partner in self.expected])
        for partner, status in self.expected.items():
            with self.subTest(customer=partner.name):
                # The customer's form (the rules in Python) ...
                self.assertEqual(ours.browse(partner.id).followup_status, status)
        for status in (STATUS_ACTION, STATUS_OVERDUE, STATUS_NONE):
            with self.subTest(status=status):
                # ... and the search (the rules in SQL) agree.
                wanted = {partner.name for partner, expected in self.expected.items() if expected == status}
                found = Partner.search([("followup_status", "=", status), ("id", "in", ours.ids)])
                self.assertEqual(set(found.mapped("name")), wanted)
                others = Partner.search([("followup_status", "!=", status), ("id", "in", ours.ids)])
                self.assertEqual(set(others.mapped("name")), set(ours.mapped("name")) - wanted)

    @freeze_time(TODAY)
    def test_statements_screen_shows_the_same_status_level_and_date(self):
        statements = self.env["account.followup.statement"].with_user(self.accountant)
        rows = {row["name"]: row for row in statements.get_customers("all", limit=100)["customers"]}
        for partner, status in self.expected.items():
            if partner == self.planned_netted:
                self.assertNotIn(partner.name, rows, "a balanced customer is under its own filter")
                continue
            with self.subTest(customer=partner.name):
                row = rows[partner.name]
                form = self.env["res.partner"].with_user(self.accountant).browse(partner.id)
                self.assertEqual(row["status"], status)
                self.assertEqual(row["level"], form.followup_level_id.name or "")
                self.assertEqual(row["next_date"], statements.get_statement(partner.id)["next_date"])
        need = statements.get_customers("action", limit=100)
        names = [row["name"] for row in need["customers"]]
        # the most overdue first, then by name
        self.assertEqual(names, ["Chris Chosen", "Late Company", "Halfdisputed Company", "Plannedpast Company"])
        self.assertEqual(need["total"], 4)
        # The database's order is the one Python gives (an unknown column: the default order).
        python_sorted = statements.get_customers("action", limit=100, order="unknown")
        self.assertEqual([row["name"] for row in python_sorted["customers"]], names)
        for column in ("name", "status", "total_due", "total_overdue", "level"):
            for direction in ("", " desc"):
                with self.subTest(order=column + direction):
                    page = statements.get_customers("all", limit=3, offset=2, order=column + direction)
                    searched = statements.get_customers("all", limit=3, offset=2, order=column + direction, search="c")
                    self.assertEqual(page["total"], searched["total"], "every customer's name has a c")
                    self.assertEqual(
                        [row["name"] for row in page["customers"]], [row["name"] for row in searched["customers"]]
                    )
        consumers = statements.get_customers("all", plan_id=self.consumers.id, limit=100)
        self.assertEqual([row["name"] for row in consumers["customers"]], ["Connie Consumer"])
        self.assertEqual(statements.get_customers("balanced")["customers"][0]["name"], "Netted Company")
