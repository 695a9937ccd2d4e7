import importlib.util
import io
from datetime import date
from pathlib import Path

from odoo import Command
from odoo.tests import Form

import odoo.addons.account_payment_followup as addon
from odoo.addons.account.tests.common import AccountTestInvoicingCommon


def print_one_shot_report(company, report):
    """What `bash dev/dev.sh followup` prints of a run's ``report``
    (dev/followup_once.py's own printing)."""
    path = Path(addon.__path__[0]) / "dev" / "followup_once.py"
    spec = importlib.util.spec_from_file_location("followup_once", path)
    followup_once = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(followup_once)
    out = io.StringIO()
    followup_once.print_report(company, report, out)
    return out.getvalue()


class FollowupCommon(AccountTestInvoicingCommon):
    """A company with follow-ups enabled, its default plan and a few customers."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.company = cls.company_data["company"]
        cls.company.payment_followup_enabled = True
        cls.company.email = "accounts@company.example.com"
        cls.levels = cls.env["account.followup.level"].search([("company_id", "=", cls.company.id)])
        cls.level_before, cls.level_first, cls.level_call, cls.level_second, cls.level_notice = cls.levels
        cls.belgium = cls.env.ref("base.be")
        cls.accountant = cls.env["res.users"].create(
            {
                "name": "Anna Accountant",
                "login": "anna.followup",
                "email": "anna@company.example.com",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set([cls.env.ref("account.group_account_invoice").id])],
            }
        )
        cls.customer = cls._create_customer("Customer One", "one@customer.example.com")
        cls.term_30 = cls.env["account.payment.term"].create(
            {
                "name": "30 days",
                "line_ids": [Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})],
            }
        )
        cls.term_installments = cls.env["account.payment.term"].create(
            {
                "name": "Half now, half in 30 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                ],
            }
        )

    @classmethod
    def _let_accountant_log_in(cls, lang=None):
        """The accountant as a browser tour logs in: anna.followup / anna.followup."""
        vals = {"password": "anna.followup", "groups_id": [Command.link(cls.env.ref("base.group_user").id)]}
        if lang:
            vals["lang"] = lang
        cls.accountant.write(vals)

    @classmethod
    def _create_customer(cls, name, email=None, **vals):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "email": email,
                "is_company": True,
                "street": "Rue du Marché 1",
                "city": "Bruxelles",
                "zip": "1000",
                "country_id": cls.belgium.id,
                "mobile": "+32 470 12 34 56",
                **vals,
            }
        )

    @classmethod
    def _invoice(
        cls,
        partner,
        amount,
        invoice_date,
        term=None,
        move_type="out_invoice",
        currency=None,
        post=True,
        company=None,
        due_date=None,
    ):
        """A customer invoice; without payment term it is due on ``due_date``,
        else on its invoice date (what Odoo gives an invoice created on the
        day of its invoice date)."""
        extra = {}
        if not term:
            extra["invoice_date_due"] = due_date or invoice_date
        move = (
            cls.env["account.move"]
            .with_company(company or cls.company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": invoice_date,
                    "date": invoice_date,
                    "invoice_payment_term_id": term.id if term else False,
                    **extra,
                    "currency_id": (currency or (company or cls.company).currency_id).id,
                    "invoice_line_ids": [
                        Command.create({"name": "Services", "quantity": 1, "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, move, amount, pay_date):
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"amount": amount, "payment_date": pay_date})
            ._create_payments()
        )

    def _record_charging_step(self, partner, level, day):
        """A follow-up step of ``level`` on ``day`` concerning ``partner``'s
        open items, by the accountant, created as the engine does (the charges
        tests then invoice its late-payment charges)."""
        items = self.env["account.move.line"].search(
            self.env["account.followup"]._get_open_items_domain(self.company, partner)
        )
        return (
            self.env["account.followup.step"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "level_id": level.id,
                    "date": day,
                    "user_id": self.accountant.id,
                    "move_line_ids": [Command.set(items.ids)],
                }
            )
        )

    def _execute_level(self, partner, level):
        """A person executes ``level`` for ``partner`` (all its channels), as
        the statements screen does; returns the step."""
        followup = self.env["account.followup"]
        situation = followup._get_situation(partner, self.company)
        situation.level = level
        return followup._record_step(situation, followup._run_channels(situation))

    @staticmethod
    def _choose_channels(dialog, **chosen):
        """Tick (True) or untick (False) the channels of Send & Print by code,
        as a person does in the dialog (a Form) or on the wizard itself."""
        if isinstance(dialog, Form):
            for index in range(len(dialog.channel_line_ids)):
                with dialog.channel_line_ids.edit(index) as line:
                    if line.channel in chosen:
                        line.chosen = chosen[line.channel]
        else:
            for line in dialog.channel_line_ids:
                if line.channel in chosen:
                    line.chosen = chosen[line.channel]

    @staticmethod
    def _chosen_channels(dialog):
        """The codes of the channels ticked in Send & Print (a Form or the wizard)."""
        if isinstance(dialog, Form):
            return {line["channel"] for line in dialog.channel_line_ids._records if line["chosen"]}
        return set(dialog.channel_line_ids.filtered("chosen").mapped("channel"))

    def _run_cron(self):
        self.env["res.partner"]._cron_execute_followups()

    def _followup_mails(self, partner):
        """E-mails queued to ``partner``'s e-mail address."""
        return self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])

    def _letters(self, partner):
        """Letters posted through Snailmail (installed with account in 17.0)."""
        return self.env["snailmail.letter"].search([("partner_id", "=", partner.id)])

    def _followup_messages(self, partner):
        return self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id), ("message_type", "=", "comment")]
        )

    @staticmethod
    def d(text):
        return date.fromisoformat(text)
