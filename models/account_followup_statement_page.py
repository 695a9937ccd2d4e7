from werkzeug.urls import url_join

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountFollowupStatementPage(models.Model):
    """A customer's statement page on the portal, in one company.

    The link of the page (in every reminder) carries this record's access
    token, the way Odoo shares its documents (``portal.mixin``). A small record
    per customer and company rather than ``portal.mixin`` on ``res.partner``:

    - the page is per company and a customer may be shared by companies: a
      token on the contact would open the statement of every company;
    - ``portal.mixin`` on ``res.partner`` would add a column to every contact
      and change the notifications of every contact's chatter (the mixin adds
      an access button to the e-mails of the records it is on);
    - a link is renewed or revoked on its own record, without touching the
      contact.
    """

    _name = "account.followup.statement.page"
    _inherit = ["portal.mixin"]
    _description = "Customer Statement Page"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")

    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "A customer has one statement page per company.",
        ),
    ]

    def _compute_access_url(self):
        for page in self:
            page.access_url = f"/my/statement/{page.id}"

    # ------------------------------------------------------------
    # PAGES AND LINKS
    # ------------------------------------------------------------

    @api.model
    def _get_page(self, partner, company):
        """The statement page of ``partner``'s commercial entity in ``company``,
        created when first needed. Sudo: the page is read by its token, by a
        visitor who has no rights; callers check access before showing it."""
        commercial = partner.commercial_partner_id
        pages = self.sudo().with_context(active_test=False)
        page = pages.search([("partner_id", "=", commercial.id), ("company_id", "=", company.id)], limit=1)
        return page or pages.create({"partner_id": commercial.id, "company_id": company.id})

    @api.model
    def _get_partner_pages(self, partner):
        """The statement pages of ``partner``'s commercial entity in the
        companies that follow up payments and where it has open items."""
        commercial = partner.commercial_partner_id
        followup = self.env["account.followup"].sudo()
        companies = self.env["res.company"].sudo().search([("payment_followup_enabled", "=", True)])
        pages = self.sudo().browse()
        for company in companies:
            domain = followup._get_open_items_domain(company, commercial)
            if self.env["account.move.line"].sudo().search_count(domain, limit=1):
                pages |= self._get_page(commercial, company)
        return pages

    def _get_statement_url(self):
        """Absolute URL of the page with its access token, for the reminders."""
        self.ensure_one()
        return url_join(self.get_base_url(), self._get_share_url())

    def _get_portal_url_with_token(self, access_token=None):
        """The page's URL for the visitor: with the token it came with, if any."""
        self.ensure_one()
        return f"{self.access_url}?access_token={access_token}" if access_token else self.access_url

    # ------------------------------------------------------------
    # STATEMENT
    # ------------------------------------------------------------

    def _get_statement(self, today=None):
        """The customer's statement in the page's company, as the reminders show it."""
        self.ensure_one()
        followup = self.env["account.followup"].sudo().with_company(self.company_id)
        return followup._get_statement(self.partner_id, self.company_id, today)

    @api.model
    def _get_moves(self, lines):
        """The entries of statement lines (sudo: the page is shown to a visitor
        without rights; the lines are the page's customer's)."""
        return self.env["account.move"].sudo().browse(list(dict.fromkeys(line["move_id"] for line in lines)))

    @api.model
    def _is_chased(self, line):
        """Whether a statement line is chased: not excluded, not in dispute."""
        return not line["excluded"] and not line.get("in_dispute")

    @api.model
    def _get_overdue_lines(self, statement, currency=None):
        """The lines of ``statement`` that are overdue and chased."""
        return [
            line
            for line in statement["lines"]
            if line["days_late"] > 0 and self._is_chased(line) and (currency is None or line["currency"] == currency)
        ]

    def _get_overdue_invoices(self, statement, currency):
        """The overdue invoices of ``statement`` in ``currency`` the customer can
        pay online in one payment, and the amount overdue on them.

        Excluded invoices (litigation, disputes) are not offered. Credit notes
        and unreconciled payments stay on the statement: they are reconciled by
        the accountant, as Odoo does for an invoice paid online.
        """
        self.ensure_one()
        amounts = {}
        for line in self._get_overdue_lines(statement, currency):
            if line["amount"] > 0:
                amounts[line["move_id"]] = amounts.get(line["move_id"], 0.0) + line["amount"]
        invoices = self.env["account.move"].sudo().browse(list(amounts))
        invoices = invoices.filtered(lambda move: move._has_to_be_paid())
        return invoices, currency.round(sum(amounts[move.id] for move in invoices))

    @api.model
    def _get_payment_reference(self, moves):
        """The communication of a transfer that pays ``moves``: their payment
        references (what the accountant matches on), or the customer's reference
        when they are too many for a transfer's communication (140 characters)."""
        moves = moves.sorted("name")
        references = list(dict.fromkeys(move.payment_reference or move.name for move in moves if move.name))
        text = " ".join(references)
        if references and len(text) <= 140:
            return text
        return moves[:1]._get_invoice_reference_odoo_partner() if moves else ""

    def _get_bank_accounts(self, moves):
        """The company's bank accounts to pay ``moves`` to: those printed on the
        invoices first, then the company's own."""
        self.ensure_one()
        company = self.company_id
        banks = moves.partner_bank_id | company.partner_id.bank_ids.filtered(
            lambda bank: not bank.company_id or bank.company_id == company
        )
        return banks.sudo()

    def _get_transfer_values(self, statement, qr_image="base64"):
        """Per currency with an amount overdue: what to transfer, where, with
        which reference, and Odoo's payment QR code for it (the EPC / SEPA
        credit transfer code for an IBAN in EUR, or any other QR code method
        installed) when the company's bank account allows one.

        :param qr_image: "base64" (an image in the document: letter, page) or
            "url" (an absolute URL of Odoo's barcode route: e-mail clients
            do not show images inlined as data)
        :return: a list of dicts: ``currency``, ``amount``, ``reference``,
            ``bank`` (res.partner.bank, may be empty), ``qr_code`` (image
            source or False)
        """
        self.ensure_one()
        result = []
        for total in statement["totals"]:
            if total["overdue"] <= 0:
                continue
            currency = total["currency"]
            amount = currency.round(total["overdue"])
            moves = self._get_moves(self._get_overdue_lines(statement, currency))
            moves = moves.filtered(lambda move: move.is_invoice(include_receipts=True))
            reference = self._get_payment_reference(moves)
            qr_code, bank = False, self.env["res.partner.bank"]
            for candidate in self._get_bank_accounts(moves):
                bank = bank or candidate
                vals = candidate._build_qr_code_vals(amount, reference, None, currency, self.partner_id)
                if vals:
                    bank = candidate
                    if qr_image == "url":
                        qr_code = url_join(self.get_base_url(), candidate._get_qr_code_url(**vals))
                    else:
                        qr_code = candidate._get_qr_code_base64(**vals)
                    break
            result.append(
                {
                    "currency": currency,
                    "amount": amount,
                    "reference": reference,
                    "bank": bank,
                    "qr_code": qr_code,
                }
            )
        return result

    @api.model
    def _get_reminder_values(self, statement, qr_image="base64"):
        """What a reminder (e-mail or letter) shows of the customer's page: the
        link with its access token and the payment QR codes of the total overdue."""
        page = self._get_page(statement["partner"], statement["company"])
        return {
            "url": page._get_statement_url(),
            "transfers": page._get_transfer_values(statement, qr_image=qr_image),
        }

    def _get_contact_values(self):
        """Who the customer talks to: the company and the follow-up responsible."""
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        return {
            "company": self.company_id,
            "responsible": partner._get_followup_responsible(),
        }

    # ------------------------------------------------------------
    # CUSTOMER ACTIONS
    # ------------------------------------------------------------

    @api.model
    def _is_customer_invoice(self, move):
        return move.move_type in ("out_invoice", "out_receipt")

    def _get_promise_moves(self, statement):
        """The invoices a customer may promise to pay: its overdue chased invoices."""
        moves = self._get_moves(self._get_overdue_lines(statement))
        return moves.filtered(self._is_customer_invoice)

    def _get_dispute_moves(self, statement):
        """The invoices a customer may dispute: its open invoices not in dispute yet."""
        moves = self._get_moves([line for line in statement["lines"] if not line.get("in_dispute")])
        return moves.filtered(lambda move: self._is_customer_invoice(move) and not move.followup_in_dispute)

    @api.model
    def _get_chosen_moves(self, moves, move_ref, allow_all=False):
        """The invoice(s) a customer chose in a form, among ``moves`` (those of
        its own statement it may act on): never any other entry."""
        if allow_all and move_ref == "all":
            chosen = moves
        else:
            try:
                move_id = int(move_ref)
            except (TypeError, ValueError):
                move_id = None
            chosen = moves.filtered(lambda move: move.id == move_id)
        if not chosen:
            raise UserError(_("Choose an invoice of your statement."))
        return chosen

    def _followup_customer_promise(self, move_ref, date):
        """The customer promises to pay one or all of its overdue invoices by
        ``date`` (within the company's limit, see account.move._followup_promise)."""
        self.ensure_one()
        statement = self._get_statement()
        moves = self._get_chosen_moves(self._get_promise_moves(statement), move_ref, allow_all=True)
        try:
            date = fields.Date.to_date(date)
        except ValueError:
            date = None
        if not date:
            raise UserError(_("Choose the date by which you will pay."))
        return moves.with_company(self.company_id)._followup_promise(date, origin="customer")

    def _followup_customer_dispute(self, move_ref, reason_ref, comment):
        """The customer disputes one of its invoices, for a reason of the company's list."""
        self.ensure_one()
        statement = self._get_statement()
        moves = self._get_chosen_moves(self._get_dispute_moves(statement), move_ref)
        reason = self._get_dispute_reasons().filtered(lambda r: str(r.id) == str(reason_ref))
        if not reason:
            raise UserError(_("Choose the reason of the dispute."))
        comment = (comment or "").strip()
        if not comment:
            raise UserError(_("Tell us what is wrong with the invoice."))
        return moves.with_company(self.company_id)._followup_open_dispute(reason, comment, origin="customer")

    def _get_dispute_reasons(self):
        """The reasons a customer of the page's company may choose from."""
        self.ensure_one()
        return (
            self.env["account.followup.dispute.reason"]
            .sudo()
            .search(["|", ("company_id", "=", False), ("company_id", "=", self.company_id.id)])
        )
