import random

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models

# How each demo customer paid over the last year: the levels it received
# before paying (by index in the plan, 0 being the reminder before the due
# date) and when it paid, in days after the last of them (after the due date
# when it received none).
PAYMENT_HABITS = {
    "prompt": {"levels": (), "paid": (-10, 0)},
    "reminded_before": {"levels": (0,), "paid": (-2, 2)},
    "reminded": {"levels": (0, 1), "paid": (2, 12)},
    "called": {"levels": (0, 1, 2), "paid": (2, 25)},
    "late": {"levels": (0, 1, 2, 3), "paid": (8, 40)},
}
HISTORY_CUSTOMERS = {
    "partner_good_debtor_demo": "prompt",
    "partner_paid_demo": "prompt",
    "partner_not_due_demo": "prompt",
    "partner_before_due_demo": "reminded_before",
    "partner_recent_demo": "reminded_before",
    "partner_first_reminder_demo": "reminded",
    "partner_first_reminder_2_demo": "reminded",
    "partner_dutch_demo": "reminded",
    "partner_several_demo": "reminded",
    "partner_call_demo": "called",
    "partner_call_2_demo": "called",
    "partner_big_demo": "called",
    "partner_responsible_demo": "called",
    "partner_second_reminder_demo": "late",
    "partner_formal_notice_demo": "late",
    "partner_spanish_demo": "late",
}


class AccountFollowupDemo(models.AbstractModel):
    """A year of history for the demo database, relative to today.

    The analysis (effectiveness of each level, DSO, payment delays) and the
    statements screen's payment behaviour are empty on a database that has just
    been created: this fills them with twelve months of invoices, the
    follow-up steps the plan would have recorded and the payments that
    followed, all settled before today so that today's follow-up situations of
    the demo stay what they are. Called from the demo data only; set-based so
    that the demo installs in seconds.
    """

    _name = "account.followup.demo"
    _description = "Payment Follow-up Demo Data"

    @api.model
    def _generate_history(self, company_ref="base.main_company", months=12, seed=20):
        company = self.env.ref(company_ref)
        env = self.with_company(company).env
        # the demo data is loaded before the post-init hook gives the company its plan
        company._create_default_followup_levels()
        journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
        levels = env["account.followup.level"].search(
            [("plan_id", "=", company.followup_default_plan_id.id)], order="delay, id"
        )
        if not journal or not levels:
            return
        term = self.env.ref("account.account_payment_term_30days")
        today = fields.Date.context_today(self)
        rand = random.Random(seed)
        invoices_vals, scenarios = [], []
        for xmlid, habit in HISTORY_CUSTOMERS.items():
            partner = self.env.ref(f"account_payment_followup.{xmlid}", raise_if_not_found=False)
            if not partner:
                continue
            habit = PAYMENT_HABITS[habit]
            for month in range(months, 0, -1):
                invoice_date = today - relativedelta(months=month, days=rand.randint(0, 20))
                due_date = invoice_date + relativedelta(days=30)
                # now and then a customer pays without being chased further
                steps = [levels[index] for index in habit["levels"] if index < len(levels)]
                if steps and rand.random() < 0.25:
                    steps = steps[: rand.randint(0, len(steps) - 1)]
                step_dates = [due_date + relativedelta(days=level.delay) for level in steps]
                start = step_dates[-1] if step_dates else due_date
                paid = start + relativedelta(days=rand.randint(*habit["paid"]))
                if step_dates:
                    paid = max(paid, step_dates[-1] + relativedelta(days=1))
                if paid >= today:
                    continue  # settled before today only: today's situations are the demo's own
                scenarios.append((partner, list(zip(steps, step_dates, strict=True)), paid))
                invoices_vals.append(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": invoice_date,
                        "date": invoice_date,
                        "invoice_payment_term_id": term.id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Services",
                                    "quantity": 1,
                                    "price_unit": rand.randrange(400, 4000, 50),
                                    "tax_ids": [],
                                }
                            )
                        ],
                    }
                )
        invoices = env["account.move"].create(invoices_vals)
        invoices.action_post()
        payments = env["account.payment"].create(
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": invoice.partner_id.id,
                    "amount": invoice.amount_total,
                    "date": paid,
                    "journal_id": journal.id,
                }
                for invoice, (_partner, _steps, paid) in zip(invoices, scenarios, strict=True)
            ]
        )
        payments.action_post()
        self._analyze_history_tables()
        env["account.move.line"]._reconcile_plan(
            [
                (invoice.line_ids + payment.move_id.line_ids).filtered(
                    lambda line: line.account_type == "asset_receivable"
                )
                for invoice, payment in zip(invoices, payments, strict=True)
            ]
        )
        env["account.followup.step"].sudo().create(
            [
                self._prepare_history_step_vals(invoice, level, date)
                for invoice, (_partner, steps, _paid) in zip(invoices, scenarios, strict=True)
                for level, date in steps
            ]
        )
        self._analyze_history_tables()

    @api.model
    def _analyze_history_tables(self):
        """A year of entries is created in one transaction, which autovacuum
        does not see: PostgreSQL would still plan the reconciliation's and the
        reports' queries for the nearly empty tables of a new database (nested
        loops over thousands of rows, minutes instead of a second). ANALYZE
        counts the rows this transaction wrote."""
        self.env.flush_all()
        self.env.cr.execute(
            "ANALYZE account_move, account_move_line, account_payment, account_partial_reconcile, "
            "account_followup_step, account_followup_step_move_line_rel"
        )

    @api.model
    def _prepare_history_step_vals(self, invoice, level, date):
        """A done step of ``level`` on ``invoice``, as the plan would have recorded it."""
        person = self.env.ref("account_payment_followup.user_followup_demo", raise_if_not_found=False)
        person = person or self.env.ref("base.user_admin")
        user = self.env.ref("base.user_root") if level.auto_execute else person
        keys = {
            "partner_id": invoice.partner_id.id,
            "company_id": invoice.company_id.id,
            "level_id": level.id,
            "date": date,
        }
        channels = [channel for channel in self.env["account.followup"]._get_channels() if channel.is_enabled(level)]
        receivable = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        return {
            **keys,
            "user_id": user.id,
            "responsible_id": person.id,
            "automatic": level.auto_execute,
            "state": "done",
            "amount_due": invoice.amount_total,
            "amount_overdue": invoice.amount_total if level.delay > 0 else 0,
            "move_line_ids": [Command.set(receivable.ids)],
            "channel_ids": [
                Command.create(
                    {
                        **keys,
                        "sequence": sequence,
                        "channel": channel.code,
                        "state": "done" if channel.for_person else "sent",
                        "user_id": user.id,
                        "done_date": date,
                    }
                )
                for sequence, channel in enumerate(channels)
            ],
        }
