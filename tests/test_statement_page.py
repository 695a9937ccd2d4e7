import re
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlparse

from odoo import fields
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .common import FollowupCommon

IBAN = "BE71096123456769"


class StatementPageCommon(FollowupCommon, HttpCase):
    """A customer with overdue invoices and its statement page, visited
    through real portal HTTP requests.

    The server of HttpCase runs in another thread: dates are relative to today
    instead of frozen."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.today = fields.Date.today()
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.customer.lang = "fr_FR"
        cls.customer.with_company(cls.company).followup_responsible_id = cls.accountant
        cls.company.phone = "+32 2 555 12 12"
        cls.bank = cls.env["res.partner.bank"].create(
            {"acc_number": IBAN, "partner_id": cls.company.partner_id.id, "company_id": cls.company.id}
        )
        cls.old = cls._invoice(cls.customer, 100, cls.today - timedelta(days=40), currency=cls.eur)
        cls.late = cls._invoice(cls.customer, 200, cls.today - timedelta(days=10), currency=cls.eur)
        cls.not_due = cls._invoice(cls.customer, 50, cls.today, term=cls.term_30, currency=cls.eur)
        cls.other = cls._create_customer("Other Customer", "other@example.com")
        cls.other_invoice = cls._invoice(cls.other, 999, cls.today - timedelta(days=40), currency=cls.eur)
        Page = cls.env["account.followup.statement.page"]
        cls.page = Page._get_page(cls.customer, cls.company)
        cls.other_page = Page._get_page(cls.other, cls.company)

    def _page_url(self, page=None, token=True):
        page = page or self.page
        return page._get_share_url() if token else page.access_url

    def _enable_demo_provider(self):
        method = self.env.ref("payment_demo.payment_method_demo", raise_if_not_found=False)
        if not method:
            self.skipTest("payment_demo (Odoo's test payment provider) is not installed")
        # Set up by an administrator: the accountant of the tests may not.
        provider = self.env.ref("payment.payment_provider_demo").sudo().copy({"company_id": self.company.id})
        provider.write({"state": "test", "is_published": True, "payment_method_ids": [(6, 0, method.ids)]})
        return provider, method

    @staticmethod
    def _transaction_params(provider, method, **values):
        """What the payment form posts to a transaction route."""
        return {
            "provider_id": provider.id,
            "payment_method_id": method.id,
            "token_id": None,
            "amount": 300.0,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": "/",
            "is_validation": False,
            "access_token": "wrong",
            **values,
        }

    def _post(self, action, data, access_token=None):
        """Submit a form of the page as the customer's browser does: with the
        page's own CSRF token."""
        html = self.url_open(self._page_url()).text
        csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        data = dict(data, csrf_token=csrf_token, access_token=access_token or self.page.access_token)
        response = self.url_open(f"/my/statement/{self.page.id}/{action}", data=data)
        self.env.invalidate_all()
        return response


@tagged("post_install", "-at_install")
class TestStatementPage(StatementPageCommon):
    """The customer's statement page: the link of the reminders, the page, the
    online payment and the QR code."""

    # ------------------------------------------------------------
    # THE PAGE
    # ------------------------------------------------------------

    def test_token_page_shows_the_statement(self):
        response = self.url_open(self._page_url())
        self.assertEqual(response.status_code, 200)
        html = response.text
        for invoice in (self.old, self.late, self.not_due):
            self.assertIn(invoice.name, html)
            self.assertIn(f"/my/invoices/{invoice.id}?access_token={invoice.access_token}", html)
        self.assertIn("report_type=pdf", html, "each invoice offers its PDF")
        self.assertNotIn(self.other_invoice.name, html, "nothing of another customer")
        self.assertNotIn("Other Customer", html)
        # In the customer's language (French dates and amounts), with the totals.
        self.assertIn(self.old.invoice_date.strftime("%d/%m/%Y"), html)
        self.assertIn("350,00", html, "total due")
        self.assertIn("300,00", html, "of which overdue")
        self.assertIn(">40<", html, "days late")
        # Who to talk to: the company and the follow-up responsible.
        self.assertIn(self.company.name, html)
        self.assertIn("accounts@company.example.com", html)
        self.assertIn("Anna Accountant", html)
        self.assertIn("anna@company.example.com", html)
        # The portal layout and its breadcrumbs.
        self.assertIn("o_portal_submenu", html)
        self.assertIn('name="viewport"', html)

    def test_days_overdue_in_the_reminders_words(self):
        """The page names the delay as the e-mail, the letter and the screen do."""
        html = self.url_open(self._page_url()).text
        self.assertIn("Days overdue", html, "the table's column")
        self.assertIn("40 days overdue", html, "under the invoice on a phone")
        self.assertNotIn("Days Late", html)
        self.assertNotIn("days late", html)

    def test_wrong_or_absent_token_is_refused(self):
        token = self.page._portal_ensure_token()
        other_token = self.other_page._portal_ensure_token()
        urls = [
            self.page.access_url,
            f"{self.page.access_url}?access_token=not-the-token",
            f"{self.page.access_url}?access_token={other_token}",
            f"{self.page.access_url}?access_token={token[:-1]}",
            f"{self.page.access_url}/pay?currency_id={self.eur.id}",
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404)
                self.assertIn("This link is not valid", response.text, "not Odoo's login page")
                self.assertNotIn("/web/login", response.url)
                self.assertNotIn(self.old.name, response.text)
                self.assertNotIn("Customer One", response.text)
        self.assertIn(self.old.name, self.url_open(f"{self.page.access_url}?access_token={token}").text)

    def test_portal_user_sees_its_own_statement_only(self):
        contact = self.env["res.partner"].create(
            {"name": "Paula Portal", "parent_id": self.customer.id, "email": "paula@customer.example.com"}
        )
        new_test_user(self.env, login="paula.portal", groups="base.group_portal", partner_id=contact.id)
        self.authenticate("paula.portal", "paula.portal")
        # "My Account" shows the statement entry, counted.
        self.assertIn("followup_statement_count", self.url_open("/my/home").text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["followup_statement_count"]})
        self.assertEqual(counters, {"followup_statement_count": 1})
        # Its customer's statement, without a token.
        for url in ("/my/statement", self._page_url(token=False)):
            html = self.url_open(url).text
            self.assertIn(self.old.name, html)
            self.assertNotIn(self.other_invoice.name, html)
        # Never another customer's, by id.
        response = self.url_open(self._page_url(self.other_page, token=False))
        self.assertNotIn(self.other_invoice.name, response.text)
        self.assertEqual(response.status_code, 404)
        self.assertIn("This link is not valid", response.text)

    # ------------------------------------------------------------
    # PAYMENT
    # ------------------------------------------------------------

    def test_without_provider_bank_details_and_reference(self):
        html = self.url_open(self._page_url()).text
        self.assertNotIn("o_account_payment_followup_pay_all", html, "no online payment without a provider")
        self.assertIn("BE71 0961 2345 6769", html)
        self.assertIn(f"{self.old.payment_reference} {self.late.payment_reference}", html, "the reference to use")

    def test_pay_all_overdue_invoices_with_payment_demo(self):
        provider, method = self._enable_demo_provider()
        self.assertEqual(self.customer.followup_status, "in_need_of_action")
        token = self.page._portal_ensure_token()
        html = self.url_open(self._page_url()).text
        pay_url = f"/my/statement/{self.page.id}/pay?currency_id={self.eur.id}&amp;access_token={token}"
        self.assertIn(pay_url, html)
        self.assertIn(f"/my/invoices/{self.late.id}?access_token={self.late.access_token}#portal_pay", html)

        form = self.url_open(pay_url.replace("&amp;", "&")).text
        self.assertIn('id="o_payment_form"', form)
        self.assertIn('data-amount="300.0"', form)
        route = f"/my/statement/{self.page.id}/transaction/{self.eur.id}"
        self.assertIn(f'data-transaction-route="{route}"', form)

        processing = self.make_jsonrpc_request(
            route,
            # What the browser says of the amount is not what is paid.
            self._transaction_params(provider, method, amount=1.0, landing_route="/elsewhere", access_token=token),
        )
        tx = self.env["payment.transaction"].search([("reference", "=", processing["reference"])])
        self.assertEqual(tx.amount, 300.0)
        self.assertEqual(tx.currency_id, self.eur)
        self.assertEqual(tx.invoice_ids, self.old | self.late)
        self.assertEqual(tx.landing_route, self._page_url())

        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": tx.reference, "payment_details": "4242", "simulated_state": "done"},
        )
        self.assertEqual(tx.state, "done")
        tx._finalize_post_processing()  # what the payment status page or the cron does
        self.assertTrue(tx.payment_id)
        for invoice in (self.old, self.late):
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.not_due.payment_state, "not_paid")
        # The follow-up stops: nothing overdue, no reminder.
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.followup_status, "no_action_needed")
        self._run_cron()
        self.assertFalse(self._followup_mails(self.customer))
        html = self.url_open(self._page_url()).text
        self.assertNotIn(self.old.name, html)
        self.assertIn(self.not_due.name, html)

    def test_transaction_refused_without_token(self):
        provider, method = self._enable_demo_provider()
        params = self._transaction_params(provider, method)
        route = f"/my/statement/{self.page.id}/transaction/{self.eur.id}"
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.make_jsonrpc_request(route, params)
        self.assertFalse(self.env["payment.transaction"].search([("invoice_ids", "in", self.old.ids)]))

    # ------------------------------------------------------------
    # PROMISE AND DISPUTE
    # ------------------------------------------------------------

    def test_promise_for_all_overdue_invoices(self):
        date = self.today + timedelta(days=10)
        response = self._post("promise", {"move_ref": "all", "date": date.isoformat()})
        self.assertIn("done=promise", response.url)
        self.assertIn("we have noted the date you will pay", response.text)
        self.assertEqual(self.old.expected_payment_date, date)
        self.assertEqual(self.late.expected_payment_date, date)
        self.assertFalse(self.not_due.expected_payment_date, "only the overdue invoices")
        message = self.customer.message_ids.filtered(lambda m: "promised to pay" in str(m.body))
        self.assertEqual(len(message), 1)
        self.assertIn(self.old.name, str(message.body))
        activity = self.customer.activity_ids.filtered(lambda a: a.summary == "Promise to pay")
        self.assertEqual(activity.user_id, self.accountant, "the follow-up responsible takes note")
        self.assertNotEqual(self.customer.followup_status, "in_need_of_action", "the reminders wait")

    def test_promise_limits(self):
        too_late = self.today + timedelta(days=31)
        response = self._post("promise", {"move_ref": str(self.old.id), "date": too_late.isoformat()})
        self.assertIn(f"You can promise to pay {self.old.name} within 30 days", response.text)
        self.assertIn(f'value="{too_late.isoformat()}"', response.text, "what the customer typed is kept")
        self.assertFalse(self.old.expected_payment_date)
        response = self._post("promise", {"move_ref": str(self.old.id), "date": "not a date"})
        self.assertIn("Choose the date by which you will pay.", response.text)
        response = self._post("promise", {"move_ref": str(self.other_invoice.id), "date": self.today.isoformat()})
        self.assertIn("Choose an invoice of your statement.", response.text)
        self.assertFalse(self.other_invoice.expected_payment_date)
        self.company.sudo().followup_promise_max_days = 60  # the company's setting
        self._post("promise", {"move_ref": str(self.old.id), "date": too_late.isoformat()})
        self.assertEqual(self.old.expected_payment_date, too_late)

    def test_second_promise_after_a_broken_one_once(self):
        Promise = self.env["account.followup.promise"].sudo()
        Promise.create(
            {
                "move_id": self.old.id,
                "date": self.today - timedelta(days=5),
                "made_on": self.today - timedelta(days=12),
                "origin": "customer",
                "amount": 100,
            }
        )
        date = self.today + timedelta(days=5)
        response = self._post("promise", {"move_ref": str(self.old.id), "date": date.isoformat()})
        self.assertIn("done=promise", response.url, "a second promise after a broken one is allowed")
        self.assertEqual(self.old.expected_payment_date, date)
        # The second date passes too: no third promise online.
        Promise.search([("move_id", "=", self.old.id), ("state", "=", "open")]).date = self.today - timedelta(days=1)
        later = self.today + timedelta(days=7)
        response = self._post("promise", {"move_ref": str(self.old.id), "date": later.isoformat()})
        self.assertIn("You already promised twice to pay", response.text)
        self.assertNotEqual(self.old.expected_payment_date, later)

    def test_dispute_an_invoice(self):
        reason = self.env.ref("account_payment_followup.account_followup_dispute_reason_wrong_amount")
        form = {"move_ref": str(self.late.id), "reason_id": str(reason.id), "comment": "We ordered 2, not 3."}
        # Bad input is refused with a clear message, and nothing is lost or done.
        response = self._post("dispute", dict(form, comment=" "))
        self.assertIn("Tell us what is wrong with the invoice.", response.text)
        response = self._post("dispute", dict(form, move_ref=str(self.other_invoice.id)))
        self.assertIn("Choose an invoice of your statement.", response.text)
        self.assertIn("We ordered 2, not 3.", response.text)
        response = self._post("dispute", form, access_token="wrong")
        self.assertEqual(response.status_code, 404)
        self.assertIn("This link is not valid", response.text)
        self.assertFalse(any((self.late | self.other_invoice).mapped("followup_in_dispute")))

        response = self._post("dispute", form)
        self.assertIn("done=dispute", response.url)
        self.assertTrue(self.late.followup_in_dispute)
        dispute = self.env["account.followup.dispute"].sudo().search([("move_id", "=", self.late.id)])
        self.assertRecordValues(dispute, [{"reason": reason.id, "origin": "customer", "state": "open"}])
        self.assertEqual(dispute.activity_ids.user_id, self.accountant, "the responsible settles it")
        message = self.customer.message_ids.filtered(lambda m: "We ordered 2, not 3." in str(m.body))
        self.assertIn(self.late.name, str(message.body))
        # The page shows it; it is neither overdue nor offered for payment any more.
        html = response.text
        self.assertIn("In dispute", html)
        self.assertIn("100,00", html)
        self.assertNotIn("300,00", html)

    # ------------------------------------------------------------
    # REMINDERS: LINK AND QR CODE
    # ------------------------------------------------------------

    def _qr_value(self, html):
        match = re.search(r'src="([^"]*/report/barcode/\?[^"]*)"', html)
        self.assertTrue(match, "the e-mail shows the payment QR code")
        params = parse_qs(urlparse(match.group(1).replace("&amp;", "&")).query)
        self.assertEqual(params["barcode_type"], ["QR"])
        return unquote(params["value"][0])

    def test_reminder_email_and_letter_carry_link_and_qr_code(self):
        self._execute_level(self.customer, self.level_first)
        mail = self._followup_mails(self.customer)
        self.assertEqual(len(mail), 1)
        body = mail.body_html
        self.assertIn(f"/my/statement/{self.page.id}?access_token={self.page.access_token}", body)
        # EPC / SEPA credit transfer: the company's IBAN, the amount overdue, the reference.
        value = self._qr_value(body).splitlines()
        self.assertEqual(value[:4], ["BCD", "002", "1", "SCT"])
        self.assertEqual(value[6], IBAN)
        self.assertEqual(value[7], "EUR300.0")
        self.assertEqual(value[10], f"{self.old.payment_reference} {self.late.payment_reference}")

        letter = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account_payment_followup.action_report_followup_letter", self.customer.ids)[0]
            .decode()
        )
        # Read on paper: the page's short address, to type.
        self.assertIn(self.page._get_short_url(), letter)
        self.assertIn('src="data:image/png;base64,', letter)

        html = self.url_open(self._page_url()).text
        self.assertIn('src="data:image/png;base64,', html, "the page shows the QR code too")

    def test_rendering_a_reminder_writes_nothing_sending_it_creates_the_page(self):
        customer = self._create_customer("New Customer", "new@customer.example.com")
        self._invoice(customer, 120, self.today - timedelta(days=1), currency=self.eur)
        Page = self.env["account.followup.statement.page"]
        template = self.level_first.mail_template_id
        # Odoo's own preview of the template on the customer, and its render:
        # the customer's statement, no page created for it (nor its link shown).
        preview = self.env["mail.template.preview"].create(
            {"mail_template_id": template.id, "resource_ref": f"res.partner,{customer.id}"}
        )
        self.assertIn("120", preview.body_html)
        body = template._render_field("body_html", customer.ids)[customer.id]
        self.assertIn("New Customer", str(body))
        self.assertNotIn("/my/statement/", str(body))
        self.assertFalse(Page.search([("partner_id", "=", customer.id)]))
        # The scheduled action sends the reminder: the page exists, the e-mail links to it.
        self._run_cron()
        page = Page.search([("partner_id", "=", customer.id)])
        self.assertEqual(len(page), 1)
        mail = self._followup_mails(customer)
        self.assertEqual(len(mail), 1)
        self.assertIn(f"/my/statement/{page.id}?access_token={page.access_token}", mail.body_html)

    def test_no_qr_code_where_odoo_cannot_build_one(self):
        gold = self.currency_data["currency"]
        customer = self._create_customer("Gold Customer", "gold@example.com")
        self._invoice(customer, 500, self.today - timedelta(days=20), currency=gold)
        page = self.env["account.followup.statement.page"]._get_page(customer, self.company)
        (transfer,) = page._get_transfer_values(page._get_statement())
        self.assertEqual(transfer["currency"], gold)
        self.assertEqual(transfer["amount"], 500.0)
        self.assertFalse(transfer["qr_code"], "a SEPA QR code is for EUR only")
        self.assertEqual(transfer["bank"], self.bank, "the bank details are still shown")
