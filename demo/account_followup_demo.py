from datetime import timedelta

from odoo import Command, api, fields, models

# Customer (demo XML id suffix) -> invoices: (days since the due date, amount, options).
# Dates are counted from today, so the demo tells the same story whenever it is loaded.
DEMO_INVOICES = {
    "not_due": [(-30, 860, {"term": "30days"})],
    "before_due": [(-2, 1240, {"term": "30days"})],
    "first_reminder": [(3, 1200, {})],
    "first_reminder_2": [(5, 640, {})],
    "call": [(18, 980, {})],
    "call_2": [(25, 450, {})],
    "second_reminder": [(40, 3400, {})],
    "second_reminder_2": [(50, 2100, {})],
    "formal_notice": [(75, 5600, {})],
    "litigation": [(50, 2750, {"excluded": True})],
    "excluded_and_late": [(60, 1800, {"excluded": True}), (10, 320, {})],
    "promise": [(20, 1150, {"expected_in": 10})],
    "paid": [(20, 700, {"paid": 700})],
    "partly_paid": [(18, 900, {"paid": 300})],
    "credit_note": [(40, 1500, {}), (30, -400, {})],
    "credit_balanced": [(35, 800, {}), (30, -800, {})],
    "installments": [(10, 2400, {"term": "installments"})],
    "foreign_currency": [(20, 2000, {"currency": "base.EUR"})],
    "no_email": [(3, 560, {})],
    "invalid_phone": [(3, 430, {})],
    "dutch": [(3, 750, {})],
    "spanish": [(40, 1900, {})],
    "responsible": [(18, 1320, {})],
    "manual": [(30, 990, {"manual_in": 3})],
    "invoice_contact": [(5, 610, {})],
    "no_address": [(5, 275, {})],
    "several": [(2, 120, {}), (20, 340, {}), (45, 560, {})],
    "good_debtor": [(2, 2300, {})],
    "recent": [(-20, 410, {"term": "30days"})],
    "big": [(days, 1000 + 250 * days, {}) for days in (1, 4, 9, 16, 23, 31, 38, 47, 61, 90)],
}


class AccountFollowup(models.AbstractModel):
    _inherit = "account.followup"

    @api.model
    def _create_demo_data(self):
        """Invoices, payments and credit notes of the demo customers."""
        company = self.env.ref("base.main_company")
        env = self.with_company(company).env
        today = fields.Date.context_today(self)
        terms = {
            "30days": env.ref("account.account_payment_term_30days"),
            "installments": env["account.payment.term"].create(
                {
                    "name": "50% now, 50% in 30 days",
                    "line_ids": [
                        Command.create({"value": "percent", "value_amount": 50, "nb_days": 0}),
                        Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    ],
                }
            ),
        }
        env.ref("base.EUR").active = True
        xmlids = []
        for key, invoices in DEMO_INVOICES.items():
            partner = env.ref(f"account_payment_followup.partner_{key}_demo")
            for index, (days_late, amount, options) in enumerate(invoices):
                move = self._create_demo_move(env, partner, today, days_late, amount, options, terms)
                xmlids.append({"xml_id": f"account_payment_followup.move_{key}_{index}_demo", "record": move})
            if any(options.get("manual_in") for _days, _amount, options in invoices):
                days = next(options["manual_in"] for _days, _amount, options in invoices if options.get("manual_in"))
                partner.write({"followup_reminder_type": "manual", "followup_planned_date": today + timedelta(days)})
        env["ir.model.data"]._update_xmlids(xmlids)

    @api.model
    def _create_demo_move(self, env, partner, today, days_late, amount, options, terms):
        term = terms.get(options.get("term"))
        # Due date = invoice date without payment term; 30 days later with one.
        invoice_date = today - timedelta(days=days_late + (30 if options.get("term") == "30days" else 0))
        if options.get("term") == "installments":
            invoice_date = today - timedelta(days=days_late)
        currency = env.ref(options["currency"]) if options.get("currency") else env.company.currency_id
        move = env["account.move"].create(
            {
                "move_type": "out_invoice" if amount > 0 else "out_refund",
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "date": invoice_date,
                "invoice_payment_term_id": term.id if term else False,
                # Without payment term, due on its invoice date, as typed on the invoice.
                **({} if term else {"invoice_date_due": invoice_date}),
                "currency_id": currency.id,
                "invoice_line_ids": [
                    Command.create({"name": "Services", "quantity": 1, "price_unit": abs(amount), "tax_ids": []})
                ],
            }
        )
        move.action_post()
        if options.get("excluded"):
            move.followup_excluded = True
        if options.get("expected_in"):
            move.expected_payment_date = today + timedelta(days=options["expected_in"])
        if options.get("paid"):
            env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
                {"amount": options["paid"], "payment_date": invoice_date + timedelta(days=5)}
            )._create_payments()
        return move
