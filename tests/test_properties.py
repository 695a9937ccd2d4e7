from datetime import date, timedelta

from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from .common import FollowupCommon

BASE = date(2026, 3, 1)

levels_strategy = st.lists(
    st.tuples(
        st.integers(min_value=-10, max_value=90),  # delay
        st.booleans(),  # automatic
        st.booleans(),  # e-mail (else a manual action)
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda level: level[0],
)
invoice_strategy = st.fixed_dictionaries(
    {
        "customer": st.integers(min_value=0, max_value=2),
        "days_before_base": st.integers(min_value=0, max_value=60),
        "amount": st.integers(min_value=10, max_value=1000),
        "installments": st.booleans(),
        "excluded": st.booleans(),
        "expected_in": st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
        "paid": st.sampled_from([0, 0.5, 1]),
        "credit_note": st.booleans(),
    }
)
run_days_strategy = st.lists(st.integers(min_value=0, max_value=80), min_size=1, max_size=4, unique=True).map(sorted)


@tagged("post_install", "-at_install")
class TestFollowupProperties(FollowupCommon):
    """Random plans, invoice histories and run dates: the invariants hold."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.customers = cls.customer | cls._create_customer("Second", "second@example.com")
        cls.customers |= cls._create_customer("No Mail", email=False)
        cls.template = cls.level_first.mail_template_id

    def _build(self, plan, invoices):
        self.levels.unlink()
        self.env["account.followup.level"].create(
            [
                {
                    "name": f"Level {delay}",
                    "delay": delay,
                    "company_id": self.company.id,
                    "auto_execute": automatic,
                    "send_email": email,
                    "mail_template_id": self.template.id if email else False,
                    "manual_action": not email,
                    "manual_action_note": "Call" if not email else False,
                }
                for delay, automatic, email in plan
            ]
        )
        for spec in invoices:
            partner = self.customers[spec["customer"]]
            invoice_date = BASE - timedelta(days=spec["days_before_base"])
            move = self._invoice(
                partner, spec["amount"], invoice_date, term=self.term_installments if spec["installments"] else None
            )
            if spec["excluded"]:
                move.followup_excluded = True
            if spec["expected_in"]:
                move.expected_payment_date = BASE + timedelta(days=spec["expected_in"])
            if spec["paid"]:
                self._pay(move, round(spec["amount"] * spec["paid"], 2), invoice_date)
            if spec["credit_note"]:
                self._invoice(partner, spec["amount"] / 4, invoice_date, move_type="out_refund")

    def _receivable_items(self):
        return self.env["account.move.line"].search(
            [
                ("partner_id", "in", self.customers.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("move_id.move_type", "=", "out_invoice"),
            ]
        )

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(plan=levels_strategy, invoices=st.lists(invoice_strategy, min_size=1, max_size=4), runs=run_days_strategy)
    def test_invariants(self, plan, invoices, runs):
        self.env.cr.execute("SAVEPOINT property_example")
        try:
            self._check_invariants(plan, invoices, runs)
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT property_example")
            self.env.invalidate_all()

    def _check_invariants(self, plan, invoices, runs):
        with freeze_time(BASE):
            self._build(plan, invoices)
        items = self._receivable_items()
        never_chased = items.filtered(lambda item: item.move_id.followup_excluded or item.reconciled)
        delays = {}
        for day in runs:
            run_date = BASE + timedelta(days=day)
            with freeze_time(run_date):
                self._run_cron()
                self._run_cron()  # twice the same day: nothing new
            self.env.invalidate_all()
            for item in items:
                level = item.followup_level_id
                previous = delays.get(item.id)
                if level:
                    # levels only go up, and no item gets a level twice
                    self.assertTrue(previous is None or level.delay >= previous, (item.id, previous, level.delay))
                    delays[item.id] = level.delay
                    due_date = item.date_maturity if item.move_id.invoice_payment_term_id else item.move_id.invoice_date
                    self.assertLessEqual(due_date + timedelta(days=level.delay), run_date, "no level before it is due")
            # nothing excluded or paid is chased
            self.assertFalse(never_chased.filtered("followup_level_id"), "an excluded or paid item got a level")
        # every e-mail level execution is logged once per run and customer; a
        # skipped action always says why
        for partner in self.customers:
            logs = partner.message_ids.filtered(lambda m: "Payment follow-up" in str(m.body))
            for log in logs.filtered(lambda m: "Skipped" in str(m.body)):
                self.assertRegex(str(log.body), r"Skipped: .+ \(.+\)")
            if not partner.email:
                self.assertFalse(self._followup_mails(partner))
                self.assertEqual(
                    len(logs.filtered(lambda m: "Skipped: e-mail" in str(m.body))),
                    len(logs.filtered(lambda m: "e-mail" in str(m.body))),
                )
        # one reminder e-mail per recorded e-mail level execution, never more
        mails = self.env["mail.mail"].search([("recipient_ids", "in", self.customers.ids)])
        logged = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "in", self.customers.ids), ("body", "ilike", "e-mail sent to")]
        )
        self.assertEqual(len(mails), len(logged))
