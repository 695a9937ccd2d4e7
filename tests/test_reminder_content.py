import importlib.util
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.modules.module import get_module_path
from odoo.tests import Form, HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestReminderContent(FollowupCommon):
    """What the customer receives: each level's own template, the company's
    own data and templates, the customer's language throughout, the ways to
    pay that exist, and a letter that says who sends it."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.company.write(
            {
                "street": "Avenue Louise 54",
                "city": "Ixelles",
                "zip": "1050",
                "phone": "+32 2 555 12 12",
            }
        )
        # No payment provider, no bank account: the company's contact is the way to pay.
        cls.company.partner_id.bank_ids.action_archive()
        for code in ("nl_NL", "es_ES"):
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(
            ["mail", "account_payment_followup"], ["nl_NL", "es_ES"], overwrite=True
        )
        cls.dutch = cls._create_customer(
            "Tulp Bloemen", "tulp@example.com", lang="nl_NL", country_id=cls.env.ref("base.nl").id, mobile=False
        )

    def _send_dialog(self, partner, user=None):
        user = user or self.accountant
        action = partner.with_user(user).action_followup_send()
        return Form(self.env[action["res_model"]].with_user(user).with_context(**action["context"]))

    # ------------------------------------------------------------
    # EACH LEVEL ITS OWN TEMPLATE (issue 20.3)
    # ------------------------------------------------------------

    def test_formal_notice_proposes_its_own_email(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-03-03"):  # 61 days late: the formal notice, proposed to a person
            dialog = self._send_dialog(self.customer)
            self.assertEqual(dialog.level_id, self.level_notice)
            self.assertIn("email", self._chosen_channels(dialog), "the formal notice has a template of its own")
            self.assertEqual(dialog.mail_template_id, self.level_notice.mail_template_id)
            self.assertIn("Formal notice of payment", dialog.mail_subject)
            self.assertNotIn("reminder", dialog.mail_subject.lower())
            self.assertIn("This is a formal notice to pay them.", dialog.mail_body)
            self._choose_channels(dialog, letter=False)
            dialog.save().action_send()
        sent = self._followup_messages(self.customer).filtered("partner_ids")
        self.assertEqual(sent.mapped("subject"), [f"Formal notice of payment - {self.company.name}"])
        self.assertIn("This is a formal notice to pay them.", str(sent.body))

    def test_level_without_template_proposes_no_email(self):
        self.level_notice.mail_template_id = False
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-03-03"):
            dialog = self._send_dialog(self.customer)
            self.assertEqual(dialog.level_id, self.level_notice)
            self.assertNotIn("email", self._chosen_channels(dialog), "the second reminder's template is not borrowed")
            self.assertFalse(dialog.mail_subject)
            self._choose_channels(dialog, email=True)
            dialog.mail_template_id = self.level_second.mail_template_id
            self.assertIn("Second payment reminder", dialog.mail_subject, "the template the person picked")

    # ------------------------------------------------------------
    # EACH COMPANY ITS OWN TEMPLATES AND DATA (issue 19.10)
    # ------------------------------------------------------------

    def test_new_company_gets_its_own_templates_in_every_language(self):
        company = self.env["res.company"].create({"name": "Bloemen BV"})
        levels = self.env["account.followup.level"].search([("company_id", "=", company.id)], order="delay")
        templates = levels.mail_template_id
        self.assertEqual(len(templates), 4, "reminder, first, second reminder and formal notice")
        self.assertEqual(templates.followup_company_id, company)
        self.assertFalse(templates & self.levels.mail_template_id, "no template shared with another company")
        self.assertTrue(levels.filtered(lambda level: level.delay == 60).mail_template_id)
        first = levels.filtered(lambda level: level.delay == 1).mail_template_id
        self.assertIn("Betalingsherinnering", first.with_context(lang="nl_NL").subject, "copied with its translations")
        self.assertIn("Recordatorio de pago", first.with_context(lang="es_ES").subject)
        # Send & Print and the levels name the company's template, not "… (copy)"
        self.assertEqual(first.name, "Payment follow-up: first reminder (Bloemen BV)")
        self.assertFalse(templates.filtered(lambda template: "(copy)" in template.name))

    def test_company_own_template_in_the_customer_language(self):
        other = self.company_data_2["company"]
        other.payment_followup_enabled = True
        template = other.followup_level_ids.filtered(lambda level: level.delay == 1).mail_template_id
        self.assertEqual(template.followup_company_id, other)
        spanish = self._create_customer("Olivos del Sur", "olivos@example.com", lang="es_ES")
        self._invoice(spanish, 100, "2026-01-01", company=other)
        with freeze_time("2026-01-02"):
            self.env["res.partner"].with_context(lang="en_US")._cron_execute_followups()
        mail = self._followup_mails(spanish)
        self.assertEqual(mail.subject, f"Recordatorio de pago - {other.name}", "the company's own copy, in Spanish")
        self.assertIn("Estimado/a", str(mail.body_html))
        self.assertIn("extracto de cuenta", str(mail.body_html), "the header too")

    def test_each_company_data_comes_from_the_company_followed_up(self):
        other = self.company_data_2["company"]
        other.write({"payment_followup_enabled": True, "email": "billing@other.example.com"})
        customer = self._create_customer("Customer of B", "b@example.com")
        self._invoice(customer, 100, "2026-01-01", company=other)
        with freeze_time("2026-01-02"):
            # the scheduled action, started from the first company
            self.env["res.partner"].with_company(self.company)._cron_execute_followups()
        mail = self._followup_mails(customer)
        self.assertEqual(len(mail), 1)
        self.assertIn(other.name, mail.subject)
        self.assertNotIn(self.company.name, mail.subject)
        self.assertIn("billing@other.example.com", mail.email_from)

    # ------------------------------------------------------------
    # THE CUSTOMER'S LANGUAGE (issue 20.7)
    # ------------------------------------------------------------

    def test_email_header_in_the_customer_language(self):
        self._invoice(self.dutch, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            # the scheduled action runs as an English user
            self.env["res.partner"].with_context(lang="en_US")._cron_execute_followups()
        mail = self._followup_mails(self.dutch)
        body = str(mail.body_html)
        self.assertIn("Je rekeningoverzicht", body, "the header: 'Your statement of account', in Dutch")
        self.assertNotIn("statement of account", body)

    def test_table_headers_in_the_customer_language(self):
        self._invoice(self.dutch, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self.env["res.partner"].with_context(lang="en_US")._cron_execute_followups()
        body = str(self._followup_mails(self.dutch).body_html)
        self.assertIn("Vervaldatum", body)
        # "Days overdue", the screen's wording, as the screen translates it
        # (i18n/nl.po gets it for the table when the lead regenerates it).
        self.assertIn("Dagen vervallen", body)

    # ------------------------------------------------------------
    # WAYS TO PAY THAT EXIST (issue 20.8) AND THE TABLE (issue 20.11)
    # ------------------------------------------------------------

    def test_email_without_provider_nor_bank_account_shows_the_contact(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        body = str(self._followup_mails(self.customer).body_html)
        self.assertNotIn("pay them online", body)
        self.assertNotIn("Account:", body)
        self.assertIn("To pay, please contact us", body)
        self.assertIn("+32 2 555 12 12", body)
        self.assertIn("accounts@company.example.com", body)

    def test_email_with_bank_account_shows_the_transfer(self):
        self.env["res.partner.bank"].create(
            {"acc_number": "BE71096123456769", "partner_id": self.company.partner_id.id, "company_id": self.company.id}
        )
        invoice = self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        body = str(self._followup_mails(self.customer).body_html)
        self.assertNotIn("pay them online", body)
        self.assertIn("BE71 0961 2345 6769", body)
        self.assertIn(invoice.payment_reference, body)
        self.assertNotIn("To pay, please contact us", body)

    def test_statement_table_says_days_overdue_at_the_body_size(self):
        self._invoice(self.customer, 100, "2026-01-01")
        with freeze_time("2026-01-02"):
            self._run_cron()
        body = str(self._followup_mails(self.customer).body_html)
        self.assertIn("Days overdue", body, "the screen's wording")
        self.assertNotIn("Days Late", body)
        self.assertRegex(
            body, r'<table class="table table-sm o_account_payment_followup_statement"[^>]*font-size: ?inherit'
        )

    # ------------------------------------------------------------
    # THE LETTER (issue 20.5)
    # ------------------------------------------------------------

    def test_letter_says_who_sends_it_and_where_the_page_is(self):
        self._invoice(self.customer, 100, "2026-01-01")
        report = self.env.ref("account_payment_followup.action_report_followup_letter")
        with freeze_time("2026-01-20"):
            html = report.with_user(self.accountant)._render_qweb_html(report.report_name, self.customer.ids)[0]
        html = html.decode()
        page = self.env["account.followup.statement.page"]._get_page(self.customer, self.company)
        body = html[html.index("o_account_payment_followup_letter") :]
        self.assertIn(self.company.name, body)
        self.assertIn("Avenue Louise 54", body, "the sender's address in the letter's body")
        self.assertEqual(html.count("Avenue Louise 54"), 1, "the sender once, whatever wkhtmltopdf prints")
        self.assertIn("Ixelles", body)
        self.assertIn(page._get_short_url(), body, "the page's address, short enough to type")
        self.assertNotIn("access_token", body, "no 36-character token to type")
        self.assertIn("Days overdue", body)
        self.assertIn("To pay, please contact us", body)


@tagged("post_install", "-at_install")
class TestReminderTemplatesPerCompany(FollowupCommon, HttpCase):
    """Templates × companies: a billing user who is Mail Template Editor of
    company A, over JSON-RPC as the web client calls, against company B's
    reminders."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.company_b = cls.company_data_2["company"]
        cls.template_b = (
            cls.env["account.followup.level"]
            .search([("company_id", "=", cls.company_b.id), ("delay", "=", 1)])
            .mail_template_id
        )
        cls.template_a = cls.level_first.mail_template_id
        cls.clerk = new_test_user(
            cls.env,
            login="tina.templates",
            groups="base.group_user,account.group_account_invoice,mail.group_mail_template_editor",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _call(self, method, *args):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": "mail.template", "method": method, "args": list(args), "kwargs": {}},
        )

    def test_template_editor_of_one_company_cannot_touch_another_company_templates(self):
        self.assertEqual(self.template_b.followup_company_id, self.company_b)
        self.assertEqual(self.template_a.followup_company_id, self.company)
        self.authenticate("tina.templates", "tina.templates")
        with mute_logger("odoo.http"), self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("write", self.template_b.ids, {"subject": "Our bank account has changed"})
        with mute_logger("odoo.http"), self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("read", self.template_b.ids, ["body_html"])
        found = self._call("search_read", [("id", "in", (self.template_a | self.template_b).ids)], ["id"])
        self.assertEqual([row["id"] for row in found], self.template_a.ids, "company B's templates are not listed")
        self.assertNotIn("Our bank account has changed", self.template_b.subject)
        # Its own company's reminders it may change.
        self._call("write", self.template_a.ids, {"subject": "Reminder of {{ object.env.company.name }}"})
        self.assertEqual(self.template_a.subject, "Reminder of {{ object.env.company.name }}")

    def test_a_company_template_never_becomes_everyone_template(self):
        """A's clerk cannot make A's reminder template shared (no company):
        company B's template editors would then read and change A's reminders."""
        self.authenticate("tina.templates", "tina.templates")
        with mute_logger("odoo.http"), self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self._call("write", self.template_a.ids, {"followup_company_id": False})
        self.assertEqual(self.template_a.followup_company_id, self.company)
        editor_b = new_test_user(
            self.env,
            login="bob.templates",
            groups="base.group_user,account.group_account_invoice,mail.group_mail_template_editor",
            company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        self.assertFalse(self.env["mail.template"].with_user(editor_b).search([("id", "=", self.template_a.id)]))

    def test_send_and_print_never_renders_another_company_template(self):
        """Send & Print of company A with company B's template, chosen over
        JSON-RPC: B's text is neither shown to A's clerk nor sent."""
        self.template_b.body_html = "<p>Text of company B only</p>"
        self.authenticate("tina.templates", "tina.templates")
        model = "res.partner.followup.send"
        vals = {"partner_ids": [Command.set(self.customer.ids)], "mail_template_id": self.template_b.id}
        calls = [
            ("create", [vals]),
            ("onchange", [[], vals, ["mail_template_id"], {"mail_template_id": {}, "mail_body": {}}]),
        ]
        for method, args in calls:
            with self.subTest(method=method), mute_logger("odoo.http"):
                with self.assertRaisesRegex(JsonRpcException, "UserError") as error:
                    self.make_jsonrpc_request(
                        "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": {}}
                    )
                self.assertNotIn("Text of company B only", str(error.exception))
        self.assertFalse(self.env[model].search([("create_uid", "=", self.clerk.id)]), "no wizard with B's text")
        # Its own company's template it sends as before.
        wizard_id = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": model,
                "method": "create",
                "args": [dict(vals, mail_template_id=self.template_a.id)],
                "kwargs": {},
            },
        )
        self.assertTrue(self.env[model].browse(wizard_id).mail_body)

    def test_a_level_cannot_send_another_company_template(self):
        """A level of company A never sends company B's text (its name, its bank)."""
        with self.assertRaisesRegex(ValidationError, "belongs to"):
            self.level_first.mail_template_id = self.template_b


@tagged("post_install", "-at_install")
class TestFormalNoticeUpgrade(FollowupCommon):
    """A database of 17.0.2.0.0, whose formal notice level had no template,
    gets one of its own on upgrade."""

    def test_upgrade_gives_each_company_its_own_templates(self):
        self.level_notice.mail_template_id = False
        shared = self.env.ref("account_payment_followup.mail_template_followup_first")
        shared.subject = "Changed by someone - {{ object.env.company.name }}"
        self.level_first.mail_template_id = shared
        self.company_data_2["company"].followup_level_ids.filtered(
            lambda level: level.delay == 1
        ).mail_template_id = shared
        path = get_module_path("account_payment_followup")
        spec = importlib.util.spec_from_file_location(
            "post_formal_notice_template", f"{path}/migrations/17.0.2.1.0/post-formal-notice-template.py"
        )
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "17.0.2.0.0")
        self.env.invalidate_all()
        template = self.level_notice.mail_template_id
        self.assertTrue(template)
        self.assertEqual(template.followup_company_id, self.company)
        self.assertIn("Formal notice of payment", template.subject)
        self.assertNotIn(template, (self.levels - self.level_notice).mail_template_id)
        self.assertFalse(self.level_call.mail_template_id, "the other levels are left as they are")
        own = self.level_first.mail_template_id
        self.assertNotEqual(own, shared)
        self.assertEqual(own.followup_company_id, self.company)
        self.assertEqual(own.subject, shared.subject, "the text as it was, changes included")
        other = self.company_data_2["company"].followup_level_ids.filtered(lambda level: level.delay == 1)
        self.assertEqual(other.mail_template_id.followup_company_id, self.company_data_2["company"])


@tagged("post_install", "-at_install")
class TestReminderCompiledOnce(FollowupCommon):
    """The reminder's body is compiled once for a batch (models/ir_qweb.py):
    each customer still gets their own statement, and an edited template is
    what the next reminders say."""

    def _render(self, partner):
        followup = self.env["account.followup"]
        situation = followup._get_situation(partner, self.company)
        channel = next(channel for channel in followup._get_channels() if channel.code == "email")
        return channel.render(situation, situation.mail_template)

    @freeze_time("2026-01-05")
    def test_each_customer_its_own_body_and_an_edit_is_seen(self):
        from odoo.addons.base.models.ir_qweb import IrQWeb as BaseQweb

        other = self._create_customer("Other Customer", "other@example.com")
        first = self._invoice(self.customer, 120, "2026-01-01")
        second = self._invoice(other, 340, "2026-01-01")
        compiled = []
        original = BaseQweb._compile

        def counted(qweb, template):
            if not isinstance(template, str | int):
                compiled.append(template)
            return original(qweb, template)

        self.env.registry.clear_cache("templates")
        with patch.object(BaseQweb, "_compile", counted):
            _subject, body_first = self._render(self.customer)
            subject, body = self._render(other)
        self.assertEqual(len(compiled), 1, "one compilation for both customers")
        self.assertIn(first.name, body_first)
        self.assertIn(second.name, body)
        self.assertNotIn(first.name, body)
        self.assertIn("340.00", body)
        self.assertIn(other.name, subject + body)
        # What the second customer got from the compiled body is what a fresh compilation gives.
        self.env.registry.clear_cache("templates")
        self.assertEqual(self._render(other), (subject, body))

        template = self.env["account.followup"]._get_situation(self.customer, self.company).mail_template
        self.assertIn("Best regards", body)
        template.body_html = template.body_html.replace("Best regards", "Kind regards (edited)")
        _subject, body = self._render(self.customer)
        self.assertIn("Kind regards (edited)", body)
