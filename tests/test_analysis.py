from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.fields import Date as fields_date
from odoo.osv import expression
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupAnalysis(FollowupCommon):
    """Each figure of the follow-up analysis against values computed by hand on
    a small history (2025, no taxes, 30-day terms: invoices of 1 January are
    due on 31 January):

    ====  ======  ===========  =================================================
    item  amount  due          what happened
    ====  ======  ===========  =================================================
    A0      100   2024-12-31   paid 2024-12-20 (11 days early), no step
    A1      100   2025-01-31   step S1 (1st level, e-mail) 02-01; paid 02-05
    B1      200   2025-01-31   paid 01-31, before step S2 (1st level, e-mail +
                               letter) 02-01
    B2      300   2025-01-31   in S2; 100 paid 02-10, the rest never
    C1      400   2025-01-31   disputed: in S3 (call level, call to do, e-mail
                               failed) 02-15; cancelled by a credit note 02-20
    C2      500   2025-01-31   in S3; never paid
    D1     1000   2025-01-31   S4 (call level, call to do) 02-15; paid 03-11
    E1      600   2025-01-31   S5 (call level, SMS; call skipped) 02-15;
                               paid 02-17
    F1     1400   2025-03-12   invoiced 02-10 to customer A; never paid
    ====  ======  ===========  =================================================
    """

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.reader = new_test_user(
            cls.env,
            login="rita.reader",
            groups="account.group_account_readonly",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.customer_a = cls.customer
        cls.customer_b = cls._create_customer("Customer B")
        cls.customer_c = cls._create_customer("Customer C")
        cls.customer_d = cls._create_customer("Customer D")
        cls.customer_e = cls._create_customer("Customer E")
        cls.a0 = cls._invoice(cls.customer_a, 100, "2024-12-01", term=cls.term_30)
        cls._pay(cls.a0, 100, "2024-12-20")
        cls.a1 = cls._invoice(cls.customer_a, 100, "2025-01-01", term=cls.term_30)
        cls.b1 = cls._invoice(cls.customer_b, 200, "2025-01-01", term=cls.term_30)
        cls.b2 = cls._invoice(cls.customer_b, 300, "2025-01-01", term=cls.term_30)
        cls.c1 = cls._invoice(cls.customer_c, 400, "2025-01-01", term=cls.term_30)
        cls.c2 = cls._invoice(cls.customer_c, 500, "2025-01-01", term=cls.term_30)
        cls.d1 = cls._invoice(cls.customer_d, 1000, "2025-01-01", term=cls.term_30)
        cls.e1 = cls._invoice(cls.customer_e, 600, "2025-01-01", term=cls.term_30)
        cls.f1 = cls._invoice(cls.customer_a, 1400, "2025-02-10", term=cls.term_30)

        cls.s1 = cls._step(cls.customer_a, cls.level_first, "2025-02-01", cls.a1, [("email", "sent")])
        cls.s2 = cls._step(
            cls.customer_b, cls.level_first, "2025-02-01", cls.b1 + cls.b2, [("email", "sent"), ("letter", "sent")]
        )
        cls.s3 = cls._step(
            cls.customer_c, cls.level_call, "2025-02-15", cls.c1 + cls.c2, [("manual", "to_do"), ("email", "failed")]
        )
        cls.s4 = cls._step(cls.customer_d, cls.level_call, "2025-02-15", cls.d1, [("manual", "to_do")])
        cls.s5 = cls._step(
            cls.customer_e, cls.level_call, "2025-02-15", cls.e1, [("sms", "sent"), ("manual", "skipped")]
        )
        # recorded after the steps, as they happen (B1's payment dated the day before its step)
        cls._pay(cls.b1, 200, "2025-01-31")
        cls._pay(cls.a1, 100, "2025-02-05")
        cls._pay(cls.b2, 100, "2025-02-10")
        cls._pay(cls.e1, 600, "2025-02-17")
        refund = cls._invoice(cls.customer_c, 400, "2025-02-20", move_type="out_refund")
        (cls._receivable(cls.c1) + cls._receivable(refund)).reconcile()
        cls._pay(cls.d1, 1000, "2025-03-11")

    @classmethod
    def _receivable(cls, move):
        return move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    @classmethod
    def _step(cls, partner, level, date, moves, channels):
        return (
            cls.env["account.followup.step"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "level_id": level.id,
                    "date": date,
                    "user_id": cls.accountant.id,
                    "responsible_id": cls.accountant.id,
                    "automatic": level.auto_execute,
                    "move_line_ids": [Command.set(cls._receivable(moves).ids)],
                    "channel_ids": [
                        Command.create({"sequence": index, "channel": channel, "state": state})
                        for index, (channel, state) in enumerate(channels)
                    ],
                }
            )
        )

    def _groups(self, model, domain, fields, groupby, user=None):
        Report = self.env[model].with_user(user or self.accountant)
        return Report.read_group(domain, fields, groupby, lazy=False)

    # ------------------------------------------------------------------
    # Effectiveness per level and action
    # ------------------------------------------------------------------

    def test_effectiveness_of_each_step(self):
        Report = self.env["account.followup.effectiveness.report"].with_user(self.accountant)
        rows = {
            row["step_id"][0]: row
            for row in Report.search_read(
                [("company_id", "=", self.company.id)],
                ["step_id", "amount", "paid_7", "paid_14", "paid_30", "paid", "share_7", "days_to_payment", "channel"],
            )
        }
        expected = {
            # step: (amount concerned, paid 7, 14, 30 days, since, share 7 days, days to payment, main action)
            self.s1: (100, 100, 100, 100, 100, 100, 4, "email"),  # paid after the step
            self.s2: (300, 0, 100, 100, 100, 0, False, "letter"),  # B1 paid before; B2 partially paid
            self.s3: (900, 0, 0, 0, 0, 0, False, "manual"),  # disputed (credit note) and never paid
            self.s4: (1000, 0, 0, 1000, 1000, 0, 24, "manual"),
            self.s5: (600, 600, 600, 600, 600, 100, 2, "sms"),  # the skipped call does not count
        }
        self.assertEqual(set(rows), {step.id for step in expected})
        for step, values in expected.items():
            row = rows[step.id]
            self.assertEqual(
                (
                    row["amount"],
                    row["paid_7"],
                    row["paid_14"],
                    row["paid_30"],
                    row["paid"],
                    row["share_7"],
                    row["days_to_payment"],
                    row["channel"],
                ),
                values,
                step.partner_id.name,
            )

    def test_figures_given_to_a_new_step_are_the_computed_ones(self):
        """The scheduled action creates its steps with their payment figures
        read for the whole batch (account.followup.step._get_new_step_figures):
        for the same date and items, the same figures as the stored compute,
        payments after the date, before it and by credit note alike."""
        Step = self.env["account.followup.step"]
        steps = self.s1 | self.s2 | self.s3 | self.s4 | self.s5
        names = ["amount_concerned", "paid_7", "paid_14", "paid_30", "paid_since", "paid_date"]
        given = Step._get_new_step_figures({step.id: (step.date, step.move_line_ids.ids) for step in steps})
        for step in steps:
            self.assertEqual(given[step.id], {name: step[name] for name in names}, step.partner_id.name)
        self.assertEqual(given[self.s4.id]["paid_date"], self.d("2025-03-11"))
        self.assertEqual(given[self.s2.id]["amount_concerned"], 300, "B1 paid before the step")

    def test_effectiveness_of_a_call_marked_done(self):
        """The call that was made (done) is the step's main action, as while it was to do."""
        step = self._step(
            self.customer_d, self.level_call, "2025-02-16", self.d1, [("email", "sent"), ("manual", "done")]
        )
        Report = self.env["account.followup.effectiveness.report"]
        row = Report.search_read([("step_id", "=", step.id)], ["channel"])[0]
        self.assertEqual(row["channel"], "manual")
        for channel in ("manual", "email"):
            self.assertEqual(Report.search([("used_channel", "=", channel)]).step_id & step, step, channel)
        self.assertFalse(Report.search([("used_channel", "in", ["letter", "sms"])]).step_id & step)
        self.assertEqual(Report.search([("used_channel", "!=", "letter")]).step_id & step, step)

    def test_effectiveness_follows_the_reconciliations(self):
        Report = self.env["account.followup.effectiveness.report"].with_user(self.accountant)

        def s4_figures():
            Report.invalidate_model()  # a new request of the web client
            row = Report.search_read([("step_id", "=", self.s4.id)], ["amount", "paid_30", "days_to_payment"])[0]
            return row["amount"], row["paid_30"], row["days_to_payment"]

        self.assertEqual(s4_figures(), (1000, 1000, 24))
        self._receivable(self.d1).remove_move_reconcile()
        self.assertEqual(s4_figures(), (1000, 0, False))
        self._pay(self.d1, 1000, "2025-02-20")
        self.assertEqual(s4_figures(), (1000, 1000, 5))

    def test_effectiveness_per_level(self):
        groups = self._groups(
            "account.followup.effectiveness.report",
            [("company_id", "=", self.company.id)],
            ["amount", "paid_7", "paid_30", "share_7", "share_14", "share_30", "days_to_payment"],
            ["level_id"],
        )
        by_level = {group["level_id"][0]: group for group in groups}
        first, call = by_level[self.level_first.id], by_level[self.level_call.id]
        # 1st level: 100 + 300 concerned; 100 paid within 7 days, 200 within 14 and 30
        self.assertEqual(first["__count"], 2)
        self.assertEqual(first["amount"], 400)
        self.assertEqual((first["share_7"], first["share_14"], first["share_30"]), (25, 50, 50))
        self.assertEqual(first["days_to_payment"], 4)  # only S1 was entirely paid
        # call level: 900 + 1000 + 600 concerned; 600 within 7 days, 1,600 within 30
        self.assertEqual(call["amount"], 2500)
        self.assertEqual((call["share_7"], call["share_14"], call["share_30"]), (24, 24, 64))
        self.assertEqual(call["days_to_payment"], 13)  # median of 24 and 2 days

    def test_effectiveness_per_action_and_period(self):
        groups = self._groups(
            "account.followup.effectiveness.report",
            [("company_id", "=", self.company.id), ("level_id", "=", self.level_call.id)],
            ["amount", "share_30"],
            ["channel"],
        )
        self.assertEqual(
            {group["channel"]: (group["amount"], group["share_30"]) for group in groups},
            {"manual": (1900, 52.63), "sms": (600, 100)},
        )
        letters = self._groups(
            "account.followup.effectiveness.report",
            [("company_id", "=", self.company.id), ("used_channel", "=", "email")],
            ["amount"],
            [],
        )
        self.assertEqual(letters[0]["amount"], 400, "the failed e-mail of S3 did not reach the customer")
        february_first_half = self._groups(
            "account.followup.effectiveness.report",
            [("company_id", "=", self.company.id), ("date", ">=", "2025-02-01"), ("date", "<=", "2025-02-14")],
            ["amount", "share_14"],
            [],
        )
        self.assertEqual((february_first_half[0]["amount"], february_first_half[0]["share_14"]), (400, 50))

    # ------------------------------------------------------------------
    # DSO
    # ------------------------------------------------------------------

    def test_dso_per_month(self):
        Report = self.env["account.followup.dso.report"].with_user(self.accountant)
        rows = {
            row["date"].isoformat(): row
            for row in Report.search_read(
                [("company_id", "=", self.company.id), ("date", "<=", "2025-03-31")],
                ["date", "receivable", "credit_sales", "days", "dso"],
            )
        }
        self.assertEqual(
            {date: (row["receivable"], row["credit_sales"], row["days"], row["dso"]) for date, row in rows.items()},
            {
                # receivable at the month end, invoices - credit notes of the month, days, DSO (countback)
                "2024-12-31": (0, 100, 31, 0),
                "2025-01-31": (2900, 3100, 31, 29.0),  # 2,900 / 3,100 × 31
                # 2,900 + 1,400 - 400 - 800 paid: February's 1,000 (28 days), then 2,100 / 3,100 of January's 31
                "2025-02-28": (3100, 1000, 28, 49.0),
                # no sales in March (31 days), February's 1,000 (28 days), 1,100 / 3,100 of January's 31
                "2025-03-31": (2100, 0, 31, 70.0),
            },
        )

    def test_dso_per_quarter(self):
        groups = self._groups(
            "account.followup.dso.report",
            [("company_id", "=", self.company.id), ("date", ">=", "2025-01-01"), ("date", "<=", "2025-03-31")],
            ["receivable", "credit_sales", "dso"],
            ["date:quarter"],
        )
        self.assertEqual(len(groups), 1)
        # average month end receivables (2,900 + 3,100 + 2,100) / 3; the average of the months' DSO
        self.assertEqual((groups[0]["receivable"], groups[0]["credit_sales"]), (2700, 4100))
        self.assertAlmostEqual(groups[0]["dso"], (29 + 49 + 70) / 3, places=1)

    def test_dso_countback_worked_by_hand(self):
        """Countback on figures worked out by hand (second company): a small
        month does not explode the DSO, a month of credit notes does not make
        it negative."""
        company = self.company_data_2["company"]
        customer = self.customer_a
        september = self._invoice(customer, 3000, "2025-09-10", company=company)
        october = self._invoice(customer, 3000, "2025-10-10", company=company)
        self._invoice(customer, 1000, "2025-11-10", company=company)
        self._pay(september, 3000, "2025-10-20")
        self._pay(october, 1500, "2025-11-20")
        # December: credit notes (1,500) exceed sales (500)
        self._invoice(customer, 500, "2025-12-05", company=company)
        self._invoice(customer, 1500, "2025-12-15", company=company, move_type="out_refund")
        # January: a tiny month
        self._invoice(customer, 50, "2026-01-15", company=company)
        rows = self.env["account.followup.dso.report"].search_read(
            [("company_id", "=", company.id), ("date", "<=", "2026-01-31")],
            ["date", "receivable", "credit_sales", "days", "dso"],
        )
        self.assertEqual(
            {
                row["date"].isoformat(): (row["receivable"], row["credit_sales"], row["days"], row["dso"])
                for row in rows
            },
            {
                "2025-09-30": (3000, 3000, 30, 30.0),  # the month's sales: its 30 days
                "2025-10-31": (3000, 3000, 31, 31.0),
                # 2,500 owed: November's 1,000 sales (30 days), then 1,500 / 3,000 of October's 31 days = 15.5
                # (receivables ÷ sales of the month × days would say 75)
                "2025-11-30": (2500, 1000, 30, 45.5),
                # 1,500 owed: December sold nothing net (31 days), November's 1,000 (30 days),
                # 500 / 3,000 of October's 31 days = 5.17 (the month's formula would say -46.5)
                "2025-12-31": (1500, -1000, 31, 66.2),
                # 1,550 owed: January's 50 (31 days), December (31), November (30), 500 / 3,000 × 31
                # (the month's formula would say 961)
                "2026-01-31": (1550, 50, 31, 97.2),
            },
        )

    # ------------------------------------------------------------------
    # Overdue by age over time
    # ------------------------------------------------------------------

    def test_overdue_by_age_at_each_month_end(self):
        groups = self._groups(
            "account.followup.overdue.report",
            [("company_id", "=", self.company.id), ("date", "<=", "2025-04-30")],
            ["amount", "item_count"],
            ["date:month", "age"],
        )
        self.assertEqual(
            {(group["date:month"], group["age"]): (group["amount"], group["item_count"]) for group in groups},
            {
                # 31 January: nothing past due yet (due that day)
                ("February 2025", "1_30"): (1700, 3),  # B2's 200 left, C2, D1
                ("March 2025", "1_30"): (1400, 1),  # F1, due 12 March
                ("March 2025", "31_60"): (700, 2),  # B2, C2; D1 paid 11 March, C1 credited
                ("April 2025", "31_60"): (1400, 1),
                ("April 2025", "61_90"): (700, 2),
            },
        )

    def test_overdue_by_age_of_a_customer(self):
        groups = self._groups(
            "account.followup.overdue.report",
            [("partner_id", "=", self.customer_b.id), ("date", ">=", "2025-02-01"), ("date", "<=", "2025-06-30")],
            ["amount"],
            ["age"],
        )
        # B2's 200 at each month end: 28, 59, 89, 120, 150 days overdue; a month end balance, not a sum
        self.assertEqual(
            {group["age"]: group["amount"] for group in groups},
            {"1_30": 200, "31_60": 200, "61_90": 200, "91_120": 200, "older": 200},
        )

    # ------------------------------------------------------------------
    # Payment delays
    # ------------------------------------------------------------------

    def test_days_late_per_customer(self):
        groups = self._groups(
            "account.followup.payment.report",
            [("company_id", "=", self.company.id)],
            ["days_late", "amount"],
            ["partner_id"],
        )
        self.assertEqual(
            {group["partner_id"][0]: (group["__count"], group["days_late"]) for group in groups},
            {
                self.customer_a.id: (2, -3),  # A0 11 days early, A1 5 days late
                self.customer_b.id: (1, 0),  # B1 on its due date; B2 not paid
                self.customer_d.id: (1, 39),
                self.customer_e.id: (1, 17),
                # C: C1 was cancelled by a credit note, C2 never paid
            },
        )

    def test_payment_behaviour_on_the_statement(self):
        Statement = self.env["account.followup.statement"].with_user(self.accountant)
        behaviour = Statement._get_payment_behaviour(self.customer_a)
        self.assertEqual(
            [(row["name"], row["days_late"], row["amount"]) for row in behaviour],
            [(self.a0.name, -11, 100), (self.a1.name, 5, 100)],
        )
        self.assertEqual(len(Statement._get_payment_behaviour(self.customer_a, limit=1)), 1)
        bars = Statement.get_statement(self.customer_a.id)["payment_behaviour"]
        self.assertEqual([(bar["days_late"], bar["tone"]) for bar in bars], [(-11, "early"), (5, "late")])
        self.assertIn("paid 5 days late", bars[1]["title"])
        self.assertEqual(Statement.get_statement(self.customer_c.id)["payment_behaviour"], [])

    # ------------------------------------------------------------------
    # Promises and disputes
    # ------------------------------------------------------------------

    def _action_groups(self, xmlid, measures, groupby):
        """What the analysis action shows with its default filters."""
        action = self.env.ref(xmlid)
        Model = self.env[action.res_model].with_user(self.accountant)
        context = safe_eval(action.context, {"uid": self.accountant.id})
        arch = etree.fromstring(Model.get_view(action.search_view_id.id, "search")["arch"])
        today = fields_date.context_today(Model)
        domain = expression.AND(
            [
                safe_eval(node.get("domain"), {"context_today": lambda: today, "relativedelta": relativedelta})
                for node in arch.iter("filter")
                if context.get(f"search_default_{node.get('name')}")
            ]
        )
        return Model.read_group(domain, measures, groupby, lazy=False)

    def test_promises_kept_and_broken_per_month(self):
        today = fields_date.today()
        month_ago, two_months_ago = today - relativedelta(months=1), today - relativedelta(months=2)
        Promise = self.env["account.followup.promise"].sudo()
        for move, date, state in (
            (self.c2, two_months_ago, "kept"),
            (self.c2, two_months_ago, "broken"),
            (self.b2, month_ago, "broken"),
            (self.f1, month_ago, "broken"),
            (self.f1, month_ago, "cancelled"),  # replaced by another one: neither kept nor broken
            (self.f1, today + relativedelta(days=5), "open"),
            (self.f1, today - relativedelta(years=2), "kept"),  # before the last 12 months
        ):
            Promise.create({"move_id": move.id, "date": date, "made_on": date, "state": state})
        groups = self._action_groups(
            "account_payment_followup.account_followup_promise_analysis_action", ["__count"], ["date:month", "state"]
        )
        months = {
            two_months_ago: two_months_ago.strftime("%B %Y"),
            month_ago: month_ago.strftime("%B %Y"),
        }
        self.assertEqual(
            {(group["date:month"], group["state"]): group["__count"] for group in groups},
            {
                (months[two_months_ago], "kept"): 1,
                (months[two_months_ago], "broken"): 1,
                (months[month_ago], "broken"): 2,
            },
        )

    def test_open_disputes_by_reason_and_age(self):
        today = fields_date.today()
        wrong_amount = self.env.ref("account_payment_followup.account_followup_dispute_reason_wrong_amount")
        quality = self.env.ref("account_payment_followup.account_followup_dispute_reason_quality")
        # A history: disputes opened days ago (the server records when; no user may).
        Dispute = self.env["account.followup.dispute"].sudo()
        resolved = Dispute.create({"move_id": self.c2.id, "reason": quality.id, "date_opened": today})
        resolved.resolution = "confirmed"
        resolved.action_resolve()
        for move, reason, days in ((self.c2, wrong_amount, 10), (self.b2, wrong_amount, 45), (self.f1, quality, 100)):
            Dispute.create({"move_id": move.id, "reason": reason.id, "date_opened": today - relativedelta(days=days)})
        groups = self._action_groups(
            "account_payment_followup.account_followup_dispute_analysis_action", ["__count"], ["reason", "age_bucket"]
        )
        self.assertEqual(
            {(group["reason"][0], group["age_bucket"]): group["__count"] for group in groups},
            {(wrong_amount.id, "0_30"): 1, (wrong_amount.id, "31_60"): 1, (quality.id, "90_plus"): 1},
        )

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_read_only_for_accountants_of_the_company(self):
        other_company = self.company_data_2["company"]
        self._invoice(self.customer_a, 100, "2025-01-01", company=other_company)
        for model in (
            "account.followup.effectiveness.report",
            "account.followup.dso.report",
            "account.followup.overdue.report",
            "account.followup.payment.report",
        ):
            Report = self.env[model]
            self.assertTrue(Report.with_user(self.reader).search_count([]), model)
            with self.assertRaises(AccessError, msg=model):
                Report.with_user(self.accountant).search([], limit=1).write({"company_id": self.company.id})
        Dso = self.env["account.followup.dso.report"]
        other_domain = [("company_id", "=", other_company.id)]
        self.assertTrue(Dso.sudo().search_count(other_domain))
        self.assertFalse(Dso.with_user(self.accountant).search_count(other_domain), "nothing of another company")
        with self.assertRaises(AccessError):
            Dso.with_user(new_test_user(self.env, login="ivan.internal", groups="base.group_user")).search([])
