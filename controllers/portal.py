import logging

from odoo import _, fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.payment.controllers.portal import PaymentPortal

from ..models.account_followup_statement_page import COMMENT_MAX_LENGTH, FollowupCustomerError

_logger = logging.getLogger(__name__)

PAGE_MODEL = "account.followup.statement.page"
# The sentences shown after a customer's action: the redirect carries the key.
DONE_KEYS = ("promise", "dispute")


class FollowupStatementPortal(PaymentPortal):
    """The customer's statement page: reached from a reminder's link (access
    token, no login) or from "My Account" by a portal user of the customer."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "followup_statement_count" in counters:
            # A count: the pages are created when their links are needed, not here.
            user = request.env.user
            count = 0
            if not user._is_public():
                count = len(request.env[PAGE_MODEL]._get_partner_companies(user.partner_id))
            values["followup_statement_count"] = count
        return values

    def _get_my_statement_pages(self):
        """The statement pages of the logged-in user's commercial entity."""
        user = request.env.user
        if user._is_public():
            return request.env[PAGE_MODEL]
        return request.env[PAGE_MODEL]._get_partner_pages(user.partner_id)

    def _get_statement_page(self, page_id, access_token, act=False):
        """The page (sudo) if the visitor may see it: its customer's portal user,
        an accountant of its company, or anyone with the link's token.

        Odoo's ``_document_check_access`` asks the visitor's rights first,
        which logs "Access Denied by ACLs" for every visitor by link (the
        public user has no right on pages): here the rights are asked without
        raising, then the token is compared.

        :param act: the visitor acts as the customer (promise, dispute): with
            the link's token or as the customer's portal user only; an employee
            who reads the page by its rights does not speak for the customer
        :raise AccessError: the same for a page that does not exist and for a
            wrong token, so that the answer tells nothing of which ids exist
        """
        # Sudo: the visitor by link has no rights on pages; it is checked below.
        page_sudo = request.env[PAGE_MODEL].sudo().browse(page_id).exists()
        if page_sudo:
            page = request.env[PAGE_MODEL].browse(page_id)
            may_read = page.check_access_rights("read", raise_exception=False) and page._filter_access_rules("read")
            if may_read and (not act or request.env.user._is_portal()):
                return page_sudo
            if access_token and page_sudo.access_token and consteq(page_sudo.access_token, access_token):
                return page_sudo
        raise AccessError(_("This link is not valid."))

    def _render_invalid_link(self, page_id):
        """A wrong, revoked or expired link, or a page that does not exist: a
        neutral page (no company's name nor data, nothing that tells whether
        the page exists) saying how to go on; logged for the administrator."""
        _logger.info(
            "Statement page %s: invalid link or no access (uid %s, %s)",
            page_id,
            request.env.uid,
            request.httprequest.remote_addr,
        )
        return request.render("account_payment_followup.portal_statement_invalid_link", {}, status=404)

    # ------------------------------------------------------------
    # PAGES
    # ------------------------------------------------------------

    @http.route("/my/statement", type="http", auth="user", website=True)
    def portal_my_statement(self, done=None, **kwargs):
        pages = self._get_my_statement_pages()
        if len(pages) == 1:
            return self._render_statement_page(pages, None, done=done)
        values = self._prepare_portal_layout_values()
        values.update(page_name="followup_statement", statement_pages=pages)
        return request.render("account_payment_followup.portal_my_statements", values)

    @http.route("/my/statement/c/<string:code>", type="http", auth="public", website=True)
    def portal_statement_short(self, code, **kwargs):
        """The short address printed on letters: the page with its token."""
        Page = request.env[PAGE_MODEL]
        code = Page._normalize_short_code(code)
        # Sudo: the reader of a letter has no rights on pages; the code (derived
        # from the page's token) is the proof of access, as the token is.
        page_sudo = Page.sudo().search([("short_code", "=", code)], limit=1) if code else Page.sudo()
        if not page_sudo or not page_sudo.access_token:
            return self._render_invalid_link(code or "?")
        return request.redirect(page_sudo._get_portal_url_with_token(page_sudo.access_token))

    @http.route("/my/statement/<int:page_id>", type="http", auth="public", website=True)
    def portal_statement(self, page_id, access_token=None, done=None, **kwargs):
        try:
            page = self._get_statement_page(page_id, access_token)
        except AccessError:
            return self._render_invalid_link(page_id)
        return self._render_statement_page(page, access_token, done=done)

    def _set_customer_lang(self, page):
        """A visitor coming from a reminder reads its page in the customer's language."""
        lang = page.partner_id.lang
        if request.env.user._is_public() and lang and lang in dict(request.env["res.lang"].get_installed()):
            request.update_context(lang=lang)

    def _prepare_statement_page_values(self, page, access_token, done=None, error=None, form=None):
        """The page's values, all from the server.

        :param done: the key of the action just done (from the redirect's URL:
            only compared with ``DONE_KEYS``, never shown)
        :param error: a sentence for the customer, handed over by the action
        :param form: what the customer typed in the form that failed, to fill
            it again (``form``: which one)
        """
        self._set_customer_lang(page)
        page = page.with_context(lang=request.env.lang)
        statement = page._get_statement()
        moves = page._get_moves(statement["lines"])
        logged_in = not request.env.user._is_public()
        partner_sudo = request.env.user.partner_id if logged_in else page.partner_id
        ways = page._get_payment_ways(statement, partner=partner_sudo)
        today = statement["today"]
        max_days = page.company_id.followup_promise_max_days
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "followup_statement",
                "statement_page": page,
                "statement": statement,
                "moves": {move.id: move for move in moves},
                "online": ways["online"],
                "can_pay_online": ways["pay_online"],
                "transfers": ways["transfers"],
                "payment_ways": ways,
                "contact": ways["contact"],
                "page_url": page._get_portal_url_with_token(access_token),
                "access_token": access_token,
                "promise_moves": page._get_promise_moves(statement),
                "promise_min_date": fields.Date.to_string(today),
                "promise_max_date": fields.Date.to_string(fields.Date.add(today, days=max_days)) if max_days else None,
                "promise_max_days": max_days,
                "dispute_moves": page._get_dispute_moves(statement),
                "dispute_reasons": page._get_dispute_reasons(),
                "comment_max_length": COMMENT_MAX_LENGTH,
                "done": done if done in DONE_KEYS else None,
                "error": error,
                "form": form or {},
            }
        )
        return values

    def _render_statement_page(self, page, access_token, done=None, error=None, form=None):
        values = self._prepare_statement_page_values(page, access_token, done=done, error=error, form=form)
        return request.render("account_payment_followup.portal_statement_page", values)

    # ------------------------------------------------------------
    # ONLINE PAYMENT OF ALL OVERDUE INVOICES
    # ------------------------------------------------------------

    @http.route("/my/statement/<int:page_id>/pay", type="http", auth="public", website=True)
    def portal_statement_pay(self, page_id, currency_id=None, access_token=None, **kwargs):
        """Odoo's payment form for every overdue invoice of the statement in one
        currency, paid in one transaction."""
        try:
            page = self._get_statement_page(page_id, access_token)
        except AccessError:
            return self._render_invalid_link(page_id)
        self._set_customer_lang(page)
        page_url = page._get_portal_url_with_token(access_token)
        currency = request.env["res.currency"].browse(self._cast_as_int(currency_id)).exists()
        statement = page._get_statement()
        invoices, amount = page._get_overdue_invoices(statement, currency) if currency else ([], 0.0)
        if not invoices:
            return request.redirect(page_url)
        logged_in = not request.env.user._is_public()
        partner_sudo = request.env.user.partner_id if logged_in else page.partner_id
        company = page.company_id
        providers_sudo = (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(company.id, partner_sudo.id, amount, currency_id=currency.id)
        )
        payment_methods_sudo = (
            request.env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(providers_sudo.ids, partner_sudo.id, currency_id=currency.id)
        )
        tokens_sudo = request.env["payment.token"].sudo()._get_available_tokens(providers_sudo.ids, partner_sudo.id)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "followup_statement_pay",
                "statement_page": page,
                "page_url": page_url,
                "invoices": invoices,
                "company_mismatch": not PaymentPortal._can_partner_pay_in_company(partner_sudo, company),
                "expected_company": company,
                "show_tokenize_input_mapping": PaymentPortal._compute_show_tokenize_input_mapping(providers_sudo),
                "amount": amount,
                "currency": currency,
                "partner_id": partner_sudo.id,
                "providers_sudo": providers_sudo,
                "payment_methods_sudo": payment_methods_sudo,
                "tokens_sudo": tokens_sudo,
                "transaction_route": f"/my/statement/{page.id}/transaction/{currency.id}",
                "landing_route": page_url,
                "access_token": access_token,
            }
        )
        return request.render("account_payment_followup.portal_statement_pay", values)

    @http.route("/my/statement/<int:page_id>/transaction/<int:currency_id>", type="json", auth="public")
    def portal_statement_transaction(self, page_id, currency_id, access_token=None, **kwargs):
        """Create the transaction paying every overdue invoice in the currency
        (account_payment reconciles its payment with them once it is done) and
        return its processing values. The invoices and the amount are worked
        out here again, never taken from the browser."""
        try:
            page = self._get_statement_page(page_id, access_token)
        except AccessError:
            # One answer for a page that does not exist and a wrong token.
            raise ValidationError(_("The access token is invalid.")) from None
        currency = request.env["res.currency"].browse(currency_id).exists()
        invoices, amount = page._get_overdue_invoices(page._get_statement(), currency) if currency else ([], 0.0)
        if not invoices:
            raise ValidationError(_("Nothing overdue is left to pay in this currency."))
        self._validate_transaction_kwargs(kwargs)
        logged_in = not request.env.user._is_public()
        partner_sudo = request.env.user.partner_id if logged_in else page.partner_id
        kwargs.update(
            {
                "amount": amount,
                "currency_id": currency.id,
                "partner_id": partner_sudo.id,
                "landing_route": page._get_portal_url_with_token(access_token),
                "is_validation": False,
            }
        )
        tx_sudo = self._create_transaction(custom_create_values={"invoice_ids": [Command.set(invoices.ids)]}, **kwargs)
        return tx_sudo._get_processing_values()

    # ------------------------------------------------------------
    # PROMISE TO PAY, DISPUTE
    # ------------------------------------------------------------

    @http.route("/my/statement/<int:page_id>/promise", type="http", auth="public", methods=["POST"], website=True)
    def portal_statement_promise(self, page_id, access_token=None, move_ref=None, date=None, **kwargs):
        """The customer says when it will pay one or all of its overdue invoices."""
        return self._statement_page_action(
            page_id,
            access_token,
            "promise",
            lambda page: page._followup_customer_promise(move_ref, date),
            {"move_ref": move_ref, "date": date},
        )

    @http.route("/my/statement/<int:page_id>/dispute", type="http", auth="public", methods=["POST"], website=True)
    def portal_statement_dispute(self, page_id, access_token=None, move_ref=None, reason_id=None, comment=None, **kw):
        """The customer tells what is wrong with an invoice."""
        return self._statement_page_action(
            page_id,
            access_token,
            "dispute",
            lambda page: page._followup_customer_dispute(move_ref, reason_id, comment),
            {"move_ref": move_ref, "reason_id": reason_id, "comment": comment},
        )

    def _statement_page_action(self, page_id, access_token, name, action, form):
        """Do a customer's action on its page; back to the page with a thank
        you (a key in the URL), or with the error and what the customer typed.

        Only refusals written for the customer (``FollowupCustomerError``) are
        shown; any other error is logged and the customer reads a generic
        sentence: messages of Odoo and of the accounting are written for
        accountants and may tell internal details."""
        try:
            page = self._get_statement_page(page_id, access_token, act=True)
        except AccessError:
            return self._render_invalid_link(page_id)
        self._set_customer_lang(page)
        page = page.with_context(lang=request.env.lang)
        form = dict(form, form=name)
        if form.get("comment"):
            form["comment"] = page._clean_customer_text(form["comment"])[:COMMENT_MAX_LENGTH]
        try:
            page._followup_count_customer_action()
            with request.env.cr.savepoint():
                action(page)
        except FollowupCustomerError as error:
            return self._render_statement_page(page, access_token, error=error.args[0], form=form)
        except UserError as error:  # AccessError, MissingError, ValidationError included
            _logger.warning("Statement page %s: the customer's %s failed: %s", page.id, name, error)
            message = _("Sorry, we could not record your request. Please try again later or contact us.")
            return self._render_statement_page(page, access_token, error=message, form=form)
        url = page._get_portal_url_with_token(access_token)
        return request.redirect(f"{url}{'&' if '?' in url else '?'}done={name}")
