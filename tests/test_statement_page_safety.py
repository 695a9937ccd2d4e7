import logging
import re
from contextlib import contextmanager
from datetime import timedelta

from odoo.tests import JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .test_statement_page import StatementPageCommon

PHISHING = "Our bank account has changed, pay to IBAN NL91ABNA0417164300"


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def collect_logs(*names):
    """The INFO messages of these loggers, from any thread (the HTTP server's too)."""
    collector = _Collector()
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(collector)
        logger.setLevel(logging.INFO)
    try:
        yield collector.messages
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(collector)
            logger.setLevel(level)


@tagged("post_install", "-at_install")
class TestStatementPageSafety(StatementPageCommon):
    """The statement page in front of outsiders: what a visitor with the link
    (or a wrong one) may see and do, done the way an attacker does it."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.reason = cls.env.ref("account_payment_followup.account_followup_dispute_reason_wrong_amount")

    def _responsible_mails(self):
        """E-mails queued to the follow-up responsible (activity assignments)."""
        return self.env["mail.mail"].search([("recipient_ids", "in", self.accountant.partner_id.ids)])

    def _promise_activities(self):
        return self.customer.activity_ids.filtered(lambda a: a.summary == "Promise to pay")

    @staticmethod
    def _visible_text(html):
        """The page's text as a reader sees it (the language selector's links
        repeat the URL, inside attributes)."""
        return re.sub(r"<[^>]*>", " ", html)

    def _dispute_options(self, html):
        select = re.search(r'<select id="followup_dispute_move".*?</select>', html, re.S)
        return select.group(0) if select else ""

    # ------------------------------------------------------------
    # 1. ONLY WHAT THE SERVER WROTE
    # ------------------------------------------------------------

    def test_no_text_from_the_url(self):
        base = self._page_url()
        for query in (
            f"&error={PHISHING}",
            f"&message={PHISHING}",
            f"&done={PHISHING}",
            "&form=x",
            "&form=x&error=<b>bold</b>",
        ):
            with self.subTest(query=query):
                response = self.url_open(base + query)
                self.assertEqual(response.status_code, 200, "never a server error")
                text = self._visible_text(response.text)
                self.assertNotIn("Our bank account has changed", text)
                self.assertNotIn("NL91ABNA0417164300", text)
                self.assertNotIn("bold", text)
                self.assertNotIn("alert-danger", response.text)
                self.assertIn(self.old.name, response.text)
        # The redirect's key shows the server's own sentence.
        self.assertIn("we have noted the date you will pay", self.url_open(base + "&done=promise").text)

    # ------------------------------------------------------------
    # 4. THE CUSTOMER'S TEXT IS PLAIN TEXT
    # ------------------------------------------------------------

    def test_dispute_comment_is_plain_text(self):
        comment = (
            'Wrong amount <a href="https://evil.example/pay">Pay here</a>'
            '<img src="https://evil.example/pixel.gif"> end\x00 of\x07 text'
        )
        response = self._post(
            "dispute", {"move_ref": str(self.late.id), "reason_id": str(self.reason.id), "comment": comment}
        )
        self.assertEqual(response.status_code, 200, "a NUL byte is no server error")
        self.assertIn("done=dispute", response.url)
        dispute = self.env["account.followup.dispute"].search([("move_id", "=", self.late.id)])
        self.assertEqual(len(dispute), 1)
        self.assertNotIn("\x00", dispute.comment)
        self.assertNotIn("\x07", dispute.comment)
        self.assertIn("end of text", dispute.comment)
        self.assertIn('<a href="https://evil.example/pay">', dispute.comment, "stored as the customer typed it")
        note = str(dispute.activity_ids.note)
        messages = self.customer.message_ids.filtered(lambda m: "evil.example" in str(m.body))
        messages |= self.late.message_ids.filtered(lambda m: "evil.example" in str(m.body))
        self.assertEqual(len(messages), 2, "the customer's and the invoice's chatter")
        for html in [note] + [str(body) for body in messages.mapped("body")]:
            self.assertIn("&lt;a href=", html, "the link is text")
            self.assertIn("&lt;img src=", html, "the image is text")
            self.assertNotIn("<img", html)
            self.assertNotIn(">Pay here</a>", html)

    def test_long_comment_is_refused(self):
        form = {"move_ref": str(self.late.id), "reason_id": str(self.reason.id)}
        response = self._post("dispute", dict(form, comment="x" * 300_000))
        self.assertIn("please shorten it to 2000 characters at most", response.text)
        self.assertFalse(self.late.followup_in_dispute)
        self.assertFalse(self.env["account.followup.dispute"].search([("move_id", "=", self.late.id)]))
        response = self._post("dispute", dict(form, comment="y" * 2000))
        self.assertIn("done=dispute", response.url)
        self.assertEqual(
            len(self.env["account.followup.dispute"].search([("move_id", "=", self.late.id)]).comment), 2000
        )

    def test_same_dispute_twice_changes_nothing(self):
        form = {"move_ref": str(self.late.id), "reason_id": str(self.reason.id), "comment": "We ordered 2."}
        for _i in range(3):
            response = self._post("dispute", form)
            self.assertIn("done=dispute", response.url)
        disputes = self.env["account.followup.dispute"].search([("move_id", "=", self.late.id)])
        self.assertEqual(len(disputes), 1)
        self.assertEqual(len(disputes.activity_ids), 1)

    # ------------------------------------------------------------
    # 5. PROMISES
    # ------------------------------------------------------------

    def test_same_promise_thirty_times_is_one_promise(self):
        date = (self.today + timedelta(days=10)).isoformat()
        mails_before = len(self._responsible_mails())
        answers = [self._post("promise", {"move_ref": str(self.old.id), "date": date}) for _i in range(30)]
        self.assertTrue(all("done=promise" in answer.url for answer in answers[:20]))
        for answer in answers[20:]:
            self.assertIn("You have reached the number of requests this page accepts in one day (20)", answer.text)
        promises = self.env["account.followup.promise"].search([("move_id", "=", self.old.id)])
        self.assertEqual(len(promises), 1)
        self.assertEqual(len(self._promise_activities()), 1, "one activity for the responsible")
        self.assertEqual(len(self._responsible_mails()) - mails_before, 1, "one e-mail to the responsible")
        self.assertEqual(
            len(self.customer.message_ids.filtered(lambda m: "promised to pay" in str(m.body))), 1, "told once"
        )

    def test_customer_actions_are_signed_by_the_system_not_the_public_user(self):
        """The responsible's notifications of a customer's promise or dispute
        have a sender (the public user has no e-mail address: on a database
        without a default sender they could not leave), and the chatter is not
        signed "Public user"."""
        public = self.env.ref("base.public_user").sudo().partner_id
        date = (self.today + timedelta(days=10)).isoformat()
        self._post("promise", {"move_ref": str(self.old.id), "date": date})
        reason = self.env.ref("account_payment_followup.account_followup_dispute_reason_wrong_amount")
        self._post("dispute", {"move_ref": str(self.late.id), "reason_id": str(reason.id), "comment": "Wrong price"})
        mails = self._responsible_mails().sudo()
        self.assertEqual(len(mails), 2, "a promise and a dispute: two activities assigned")
        for mail in mails:
            self.assertNotEqual(mail.author_id, public)
            self.assertTrue(mail.email_from, "the notification has a sender")
        messages = (
            (self.customer.message_ids | self.late.message_ids).sudo().filtered(lambda m: m.message_type != "email")
        )
        self.assertTrue(messages)
        self.assertNotIn(public, messages.author_id, "nothing in the chatter is signed Public user")

    def test_other_date_while_a_promise_is_pending_is_refused(self):
        first = self.today + timedelta(days=10)
        self._post("promise", {"move_ref": str(self.old.id), "date": first.isoformat()})
        later = self.today + timedelta(days=20)
        for move_ref in (str(self.old.id), "all"):
            response = self._post("promise", {"move_ref": move_ref, "date": later.isoformat()})
            self.assertIn(f"You already promised to pay {self.old.name} by", response.text)
            self.assertIn("Please contact us to change this date.", response.text)
        self.assertEqual(self.old.expected_payment_date, first)
        self.assertFalse(self.late.expected_payment_date, "nothing of a refused request is done")
        promises = self.env["account.followup.promise"].search([("move_id", "=", self.old.id)])
        self.assertEqual(promises.mapped("state"), ["open"])
        self.assertEqual(len(self._promise_activities()), 1)

    def test_latest_date_counts_from_the_first_promise(self):
        # 20 days ago the customer promised to pay 10 days ago: broken.
        self.env["account.followup.promise"].sudo().create(
            {
                "move_id": self.old.id,
                "date": self.today - timedelta(days=10),
                "made_on": self.today - timedelta(days=20),
                "origin": "customer",
                "amount": 100,
            }
        )
        too_late = self.today + timedelta(days=15)  # within 30 days of today, not of the first promise
        response = self._post("promise", {"move_ref": str(self.old.id), "date": too_late.isoformat()})
        self.assertIn(f"You can promise to pay {self.old.name} within 30 days of your first promise", response.text)
        self.assertNotEqual(self.old.expected_payment_date, too_late)
        latest = self.today + timedelta(days=10)
        response = self._post("promise", {"move_ref": str(self.old.id), "date": latest.isoformat()})
        self.assertIn("done=promise", response.url)
        self.assertEqual(self.old.expected_payment_date, latest)

    def test_actions_per_day_are_bounded(self):
        for _i in range(20):
            response = self._post("promise", {"move_ref": str(self.old.id), "date": "not a date"})
            self.assertIn("Choose the date by which you will pay.", response.text)
        date = (self.today + timedelta(days=5)).isoformat()
        response = self._post("promise", {"move_ref": str(self.old.id), "date": date})
        self.assertIn("You have reached the number of requests this page accepts in one day (20)", response.text)
        self.assertFalse(self.old.expected_payment_date)
        response = self._post(
            "dispute", {"move_ref": str(self.late.id), "reason_id": str(self.reason.id), "comment": "x"}
        )
        self.assertIn("You have reached the number of requests", response.text)
        self.assertFalse(self.late.followup_in_dispute)
        # Another day, another 20.
        self.page.action_date = self.today - timedelta(days=1)
        response = self._post("promise", {"move_ref": str(self.old.id), "date": date})
        self.assertIn("done=promise", response.url)

    # ------------------------------------------------------------
    # 6. COUNTING CREATES NOTHING
    # ------------------------------------------------------------

    def test_portal_counter_creates_no_page(self):
        customer = self._create_customer("Counted Customer", "counted@example.com")
        invoice = self._invoice(customer, 70, self.today - timedelta(days=5), currency=self.eur)
        new_test_user(self.env, login="counted.portal", groups="base.group_portal", partner_id=customer.id)
        Page = self.env["account.followup.statement.page"]
        self.assertFalse(Page.search([("partner_id", "=", customer.id)]))
        self.authenticate("counted.portal", "counted.portal")
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["followup_statement_count"]})
        self.assertEqual(counters, {"followup_statement_count": 1})
        self.assertEqual(Page.search_count([("partner_id", "=", customer.id)]), 0, "the counter created no page")
        # The page is created where its link is needed: the list of statements.
        self.assertIn(invoice.name, self.url_open("/my/statement").text)
        self.assertEqual(Page.search_count([("partner_id", "=", customer.id)]), 1)

    # ------------------------------------------------------------
    # 7. WHAT A VISITOR IS TOLD
    # ------------------------------------------------------------

    def test_internal_errors_are_logged_not_shown(self):
        # An invoice imported from an older accounting (Odoo's "invoicing_legacy"
        # payment state) is open but refused by the promise's own checks, with
        # a message written for accountants.
        self.env.cr.execute("UPDATE account_move SET payment_state = 'invoicing_legacy' WHERE id = %s", [self.old.id])
        self.env.invalidate_all()
        date = (self.today + timedelta(days=5)).isoformat()
        with self.assertLogs("odoo.addons.account_payment_followup.controllers.portal", "WARNING") as logs:
            response = self._post("promise", {"move_ref": str(self.old.id), "date": date})
        self.assertIn("is not an open customer invoice", logs.output[0], "the administrator reads what happened")
        self.assertNotIn("is not an open customer invoice", response.text)
        self.assertIn("Sorry, we could not record your request.", response.text)
        self.assertFalse(self.old.expected_payment_date)

    def test_transaction_route_answers_the_same_for_missing_page_and_wrong_token(self):
        provider, method = self._enable_demo_provider()
        params = self._transaction_params(provider, method)
        missing_id = self.env["account.followup.statement.page"].search([], order="id desc", limit=1).id + 1000
        answers = []
        for page_id in (self.page.id, missing_id):
            with self.assertRaises(JsonRpcException) as error, mute_logger("odoo.http"):
                self.make_jsonrpc_request(f"/my/statement/{page_id}/transaction/{self.eur.id}", params)
            answers.append((error.exception.code, str(error.exception)))
        self.assertEqual(answers[0], answers[1])

    # ------------------------------------------------------------
    # 8. THE WAYS TO PAY THAT EXIST
    # ------------------------------------------------------------

    def test_ways_to_pay(self):
        # A bank account, no provider: the transfer, its reference and QR code.
        html = self.url_open(self._page_url()).text
        self.assertNotIn("o_account_payment_followup_pay_all", html)
        self.assertIn("Pay by bank transfer", html)
        self.assertIn("Payment QR code", html)
        self.assertNotIn("please contact us: we will tell you how", html)
        ways = self.page._get_payment_ways()
        self.assertFalse(ways["pay_online"])
        self.assertTrue(ways["bank_transfer"])
        self.assertFalse(ways["contact_only"])
        # Neither a provider nor a bank account: the company's contact.
        self.bank.active = False
        customer = self._create_customer("Customer Without Bank", "nobank@example.com")
        self._invoice(customer, 80, self.today - timedelta(days=20), currency=self.eur)
        page = self.env["account.followup.statement.page"]._get_page(customer, self.company)
        html = self.url_open(page._get_share_url()).text
        self.assertNotIn("Pay by bank transfer", html)
        self.assertNotIn("o_account_payment_followup_pay_all", html)
        self.assertIn("To pay your overdue invoices, please contact us: we will tell you how.", html)
        self.assertIn("accounts@company.example.com", html)
        self.env.invalidate_all()
        self.assertTrue(page._get_payment_ways()["contact_only"])
        # A provider: online payment.
        self._enable_demo_provider()
        html = self.url_open(self._page_url()).text
        self.assertIn("o_account_payment_followup_pay_all", html)
        self.assertNotIn("please contact us: we will tell you how", html)
        self.assertTrue(self.page._get_payment_ways()["pay_online"])

    # ------------------------------------------------------------
    # 9. A WRONG LINK; WHAT CAN BE DISPUTED
    # ------------------------------------------------------------

    def test_invalid_link_page(self):
        token = self.page._portal_ensure_token()
        missing_id = self.env["account.followup.statement.page"].search([], order="id desc", limit=1).id + 1000
        company_names = self.env["res.company"].search([]).mapped("name")
        texts = []
        for url in (
            f"/my/statement/{missing_id}?access_token={token}",
            f"/my/statement/{self.page.id}?access_token={token[:-1]}x",
            f"/my/statement/{self.other_page.id}?access_token={token}",
            f"/my/statement/{missing_id}/pay?currency_id={self.eur.id}&access_token=x",
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("/web/login", response.url)
                self.assertIn("This link is not valid", response.text)
                self.assertIn("contact the company that sent it to you", response.text)
                for name in company_names:
                    self.assertNotIn(name, response.text, "nothing of any company")
                texts.append(re.sub(r'csrf_token: "[^"]*"', "", response.text))
        self.assertEqual(texts[0], texts[1], "a missing page and a wrong token look the same")

    def test_letter_short_address_opens_the_page(self):
        """The address printed on a letter is typed by its reader: short, any
        case, with or without dashes; it opens the page as the link does, and
        renewing the page's token revokes it too."""
        short_url = self.page._get_short_url()
        path = short_url[short_url.index("/my/statement/c/") :]
        self.assertRegex(path, r"^/my/statement/c/[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$")
        self.assertLess(len(path), 32, "short enough to type")
        code = path.rsplit("/", 1)[1]
        for typed in (code, code.lower(), code.replace("-", ""), code.replace("-", " ")):
            with self.subTest(typed=typed):
                response = self.url_open(f"/my/statement/c/{typed}")
                self.assertEqual(response.status_code, 200)
                self.assertIn(f"access_token={self.page.access_token}", response.url)
                self.assertIn(self.late.name, response.text)
        other_code = self.other_page._get_short_url().rsplit("/", 1)[1]
        self.assertNotEqual(other_code, code)
        wrong = ("A" if code[0] != "A" else "B") + code[1:]
        for typed in (wrong, "0000-0000-0000", "x" * 300):
            with self.subTest(typed=typed):
                response = self.url_open(f"/my/statement/c/{typed}")
                self.assertEqual(response.status_code, 404)
                self.assertIn("This link is not valid", response.text)
                self.assertNotIn(self.late.name, response.text)
        self.page.access_token = False  # the link revoked: a new token, a new code
        self.page._portal_ensure_token()
        self.assertEqual(self.url_open(f"/my/statement/c/{code}").status_code, 404)
        self.assertNotEqual(self.page._get_short_url(), short_url)

    def test_dispute_form_offers_disputable_invoices_only(self):
        options = self._dispute_options(self.url_open(self._page_url()).text)
        for invoice in (self.old, self.late, self.not_due):
            self.assertIn(invoice.name, options)
        self.old.followup_excluded = True
        self.late.with_user(self.accountant)._followup_open_dispute(self.reason, "Checked by phone")
        options = self._dispute_options(self.url_open(self._page_url()).text)
        self.assertNotIn(self.old.name, options, "on hold")
        self.assertNotIn(self.late.name, options, "in dispute already")
        self.assertIn(self.not_due.name, options)
        response = self._post(
            "dispute", {"move_ref": str(self.old.id), "reason_id": str(self.reason.id), "comment": "x"}
        )
        self.assertIn("Choose an invoice of your statement.", response.text)
        self.assertFalse(self.old.followup_in_dispute)

    # ------------------------------------------------------------
    # 11. NO "ACCESS DENIED" IN THE LOG FOR EVERY VIEW
    # ------------------------------------------------------------

    def test_page_view_logs_no_access_denied(self):
        contact = self.env["res.partner"].create({"name": "Paula Portal", "parent_id": self.customer.id})
        new_test_user(self.env, login="paula.portal", groups="base.group_portal", partner_id=contact.id)
        with collect_logs("odoo.addons.base.models.ir_model", "odoo.addons.base.models.ir_rule") as messages:
            self.assertEqual(self.url_open(self._page_url()).status_code, 200, "a visitor by link")
            self.authenticate("paula.portal", "paula.portal")
            self.assertEqual(self.url_open(self._page_url(token=False)).status_code, 200, "the customer's portal user")
        self.assertFalse([message for message in messages if "Access Denied" in message], messages)

    # ------------------------------------------------------------
    # 12. ONLY THE CUSTOMER ACTS ON ITS PAGE
    # ------------------------------------------------------------

    def test_employees_reading_the_page_cannot_act_as_the_customer(self):
        # A read-only accounting user and a billing user read the page by their
        # own rights (no token): neither may promise nor dispute as the customer.
        new_test_user(
            self.env,
            login="rita.readonly",
            groups="base.group_user,account.group_account_readonly",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        new_test_user(
            self.env,
            login="bill.clerk",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        date = (self.today + timedelta(days=5)).isoformat()
        for login in ("rita.readonly", "bill.clerk"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                response = self.url_open(self._page_url(token=False))
                self.assertEqual(response.status_code, 200, "the employee reads the page")
                csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)
                with mute_logger("odoo.addons.account_payment_followup.controllers.portal"):
                    promise = self.url_open(
                        f"/my/statement/{self.page.id}/promise",
                        data={"csrf_token": csrf_token, "move_ref": str(self.old.id), "date": date},
                    )
                    dispute = self.url_open(
                        f"/my/statement/{self.page.id}/dispute",
                        data={
                            "csrf_token": csrf_token,
                            "move_ref": str(self.late.id),
                            "reason_id": str(self.reason.id),
                            "comment": "Not ordered",
                        },
                    )
                self.env.invalidate_all()
                for response in (promise, dispute):
                    self.assertEqual(response.status_code, 404)
                    self.assertIn("This link is not valid", response.text)
                self.assertFalse(self.old.followup_promise_ids, "no promise in the customer's name")
                self.assertFalse(self.old.expected_payment_date)
                self.assertFalse(self.late.followup_in_dispute, "no dispute in the customer's name")
        # The customer's own portal user still acts without the token.
        contact = self.env["res.partner"].create({"name": "Paula Portal", "parent_id": self.customer.id})
        new_test_user(self.env, login="paula.portal", groups="base.group_portal", partner_id=contact.id)
        self.authenticate("paula.portal", "paula.portal")
        html = self.url_open(self._page_url(token=False)).text
        csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        response = self.url_open(
            f"/my/statement/{self.page.id}/promise",
            data={"csrf_token": csrf_token, "move_ref": str(self.old.id), "date": date},
        )
        self.assertIn("done=promise", response.url)
        self.env.invalidate_all()
        self.assertEqual(self.old.followup_promise_ids.origin, "customer")
