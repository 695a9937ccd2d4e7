from freezegun import freeze_time

from odoo.tests import tagged

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestI18n(FollowupCommon):
    """Every customer gets its reminders in its own language; Dutch and Spanish
    users work in theirs."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        for code in ("nl_NL", "es_ES"):
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(["account_payment_followup"], ["nl_NL", "es_ES"], overwrite=True)
        cls.dutch = cls._create_customer(
            "Tulp Bloemen", "tulp@example.com", lang="nl_NL", country_id=cls.env.ref("base.nl").id, mobile=False
        )
        cls.spanish = cls._create_customer(
            "Olivos del Sur", "olivos@example.com", lang="es_ES", country_id=cls.env.ref("base.es").id, mobile=False
        )
        cls.dutch_invoice = cls._invoice(cls.dutch, 1234.5, "2026-01-01")
        cls.spanish_invoice = cls._invoice(cls.spanish, 1234.5, "2026-01-01")

    def test_reminders_in_the_customer_language(self):
        with freeze_time("2026-01-02"):
            # the scheduled action runs as an English user
            self.env["res.partner"].with_context(lang="en_US")._cron_execute_followups()
        dutch_mail = self._followup_mails(self.dutch)
        self.assertIn("Betalingsherinnering", dutch_mail.subject)
        body = str(dutch_mail.body_html)
        self.assertIn("Geachte", body)
        self.assertIn("Volgens onze gegevens zijn onderstaande facturen vervallen", body, "the level's note, in Dutch")
        self.assertIn("01-01-2026", body, "dates in Dutch format")
        self.assertIn("1.234,50", body, "amounts in Dutch format")
        self.assertIn("Vervaldatum", body, "the statement table too")
        spanish_mail = self._followup_mails(self.spanish)
        self.assertIn("Recordatorio de pago", spanish_mail.subject)
        body = str(spanish_mail.body_html)
        self.assertIn("Estimado/a", body)
        self.assertIn("Según nuestros registros, las facturas siguientes están vencidas", body)
        self.assertIn("01/01/2026", body)
        self.assertIn("1.234,50", body)
        self.assertIn("Fecha de vencimiento", body)

    def test_letters_in_the_customer_language(self):
        report = self.env.ref("account_payment_followup.action_report_followup_letter")
        with freeze_time("2026-01-20"):
            html = (
                report.with_context(lang="en_US")
                ._render_qweb_html(report.report_name, (self.dutch | self.spanish).ids)[0]
                .decode()
            )
        self.assertIn("Betalingsherinnering", html)
        self.assertIn("Onderstaande facturen zijn nu 15 dagen vervallen.", html, "the level's note, in Dutch")
        self.assertIn("Recordatorio de pago", html)
        self.assertIn("Las facturas siguientes llevan ya 15 días vencidas.", html)

    def test_default_plan_in_every_installed_language(self):
        company = self.env["res.company"].create({"name": "Nieuw Bedrijf"})
        first = self.env["account.followup.level"].search([("company_id", "=", company.id), ("delay", "=", 1)])
        self.assertEqual(first.with_context(lang="nl_NL").name, "Eerste herinnering")
        self.assertEqual(first.with_context(lang="es_ES").name, "Primer recordatorio")
        self.assertEqual(first.with_context(lang="en_US").name, "First reminder")
        self.assertEqual(self.level_first.with_context(lang="nl_NL").name, "Eerste herinnering")

    def test_statements_screen_labels_for_a_dutch_user(self):
        translations, lang = self.env["ir.http"].get_translations_for_webclient(["account_payment_followup"], "nl_NL")
        messages = {
            message["id"]: message["string"] for message in translations["account_payment_followup"]["messages"]
        }
        self.assertEqual(messages["In need of action"], "Actie vereist")
        self.assertEqual(messages["Customer Statements"], "Rekeningoverzichten klanten")
        # The trust and status labels are the fields' own, translated by the server.
        self.env["ir.module.module"]._load_module_terms(["account"], ["nl_NL"], overwrite=True)
        labels = (
            self.env["account.followup.statement"].with_context(lang="nl_NL").get_statement(self.dutch.id)["labels"]
        )
        self.assertEqual(labels["trust"]["good"], "Goede betaler", "Odoo's own Dutch label of the trust")
        self.assertEqual(labels["status"]["in_need_of_action"], "Actie vereist")
        self.assertEqual(lang["date_format"], "%d-%m-%Y")
