import hashlib
import hmac
import re

from werkzeug.urls import url_join

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

# The longest comment a customer may send with a dispute (characters).
COMMENT_MAX_LENGTH = 2000
# Customer actions (promises, disputes) a page accepts per day, unless the
# system parameter below says otherwise.
MAX_ACTIONS_PER_DAY = 20
MAX_ACTIONS_PARAM = "account_payment_followup.portal_max_actions_per_day"
# The short code printed on letters: 12 characters of an alphabet without
# look-alikes (0/O, 1/I/L), about 59 bits, typed in 3 groups of 4.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 12
# Control characters (a NUL byte cannot even be stored) but tab and line feed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class FollowupCustomerError(UserError):
    """A refusal written for the customer of a statement page: the page shows
    its message. Every other error met while doing a customer's action is
    logged and the customer gets a generic sentence (their messages are
    written for accountants and may tell internal details)."""


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
    short_code = fields.Char(
        compute="_compute_short_code",
        store=True,
        index="btree_not_null",
        copy=False,
        help="The code of the page's short address printed on letters (a reader types it); "
        "derived from the access token, so that renewing the token revokes it too.",
    )
    action_date = fields.Date(
        string="Last Customer Action",
        readonly=True,
        help="The day of the customer's last action (promise, dispute) on the page.",
    )
    action_count = fields.Integer(
        string="Customer Actions that Day",
        readonly=True,
        help="The customer's actions on the page on the day of the last one: a page accepts a bounded number a day.",
    )

    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "A customer has one statement page per company.",
        ),
    ]

    @api.depends("access_token")
    def _compute_short_code(self):
        # Keyed by the database secret: the code cannot be worked out from
        # anything a visitor sees but the token itself.
        for page in self:
            page.short_code = self._get_short_code(page.access_token) if page.access_token else False

    @api.model
    def _get_short_code(self, access_token):
        """The short code of a page with this access token."""
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret", "").encode()
        digest = hmac.new(secret, access_token.encode(), hashlib.sha256).digest()
        number = int.from_bytes(digest, "big")
        code = ""
        for _index in range(SHORT_CODE_LENGTH):
            number, rest = divmod(number, len(SHORT_CODE_ALPHABET))
            code += SHORT_CODE_ALPHABET[rest]
        return code

    @api.model
    def _normalize_short_code(self, code):
        """What a reader typed (any case, dashes, spaces) as a stored code, or False."""
        code = re.sub(r"[\s-]", "", code or "").upper()
        if len(code) != SHORT_CODE_LENGTH or any(char not in SHORT_CODE_ALPHABET for char in code):
            return False
        return code

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
        if page:
            return page
        # SQL for what the ORM cannot say: two first visits at the same time
        # both get here; "ON CONFLICT" makes the second one's transaction fail
        # with a serialisation error (the first one's page is not in its
        # snapshot), which Odoo retries, and the retry finds the page, instead
        # of a unique-constraint error shown to the customer.
        self.env.cr.execute(
            """
            INSERT INTO account_followup_statement_page
                   (partner_id, company_id, create_uid, write_uid, create_date, write_date)
            VALUES (%(partner)s, %(company)s, %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')
            ON CONFLICT (partner_id, company_id) DO NOTHING
            RETURNING id
            """,
            {"partner": commercial.id, "company": company.id, "uid": self.env.uid},
        )
        row = self.env.cr.fetchone()
        if row:
            return pages.browse(row[0])
        return pages.search([("partner_id", "=", commercial.id), ("company_id", "=", company.id)], limit=1)

    @api.model
    def _get_partner_companies(self, partner):
        """The companies that follow up payments where ``partner``'s commercial
        entity has open items: one statement each. Reads only (the portal
        home's counter uses it). Sudo: a portal user may not read the other
        companies nor their journal items; only a count leaves this method's
        callers."""
        commercial = partner.commercial_partner_id
        followup = self.env["account.followup"].sudo()
        companies = self.env["res.company"].sudo().search([("payment_followup_enabled", "=", True)])
        return companies.filtered(
            lambda company: self.env["account.move.line"]
            .sudo()
            .search_count(followup._get_open_items_domain(company, commercial), limit=1)
        )

    @api.model
    def _get_partner_pages(self, partner):
        """The statement pages of ``partner``'s commercial entity in the
        companies that follow up payments and where it has open items, created
        where missing: for the list of links of "My Account"."""
        commercial = partner.commercial_partner_id
        pages = self.sudo().browse()
        for company in self._get_partner_companies(commercial):
            pages |= self._get_page(commercial, company)
        return pages

    def _get_statement_url(self):
        """Absolute URL of the page with its access token, for the reminders."""
        self.ensure_one()
        return url_join(self.get_base_url(), self._get_share_url())

    def _get_short_url(self):
        """The page's address to type from a letter: ``/my/statement/c/XXXX-XXXX-XXXX``."""
        self.ensure_one()
        self._portal_ensure_token()
        code = self.short_code
        grouped = "-".join(code[index : index + 4] for index in range(0, len(code), 4))
        return url_join(self.get_base_url(), f"/my/statement/c/{grouped}")

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
    def _get_overdue_lines(self, statement, currency=None):
        """The lines of ``statement`` that are overdue and chased (a line is
        late only if it can be chased: see ``CHASABLE_SQL``)."""
        return [
            line
            for line in statement["lines"]
            if line["chasable"] and line["days_late"] > 0 and (currency is None or line["currency"] == currency)
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
        banks = moves.partner_bank_id | company.partner_id.bank_ids
        return banks.sudo().filtered(lambda bank: bank.active and (not bank.company_id or bank.company_id == company))

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
    def _get_reminder_values(self, statement, qr_image="base64", page=None):
        """What a reminder (e-mail or letter) shows of the customer's page: the
        link with its access token and the ways to pay that exist (see
        :meth:`_get_payment_ways`).

        :param page: the customer's page when the caller has it (the situation)
        """
        page = page or self._get_page(statement["partner"], statement["company"])
        ways = page._get_payment_ways(statement, qr_image=qr_image)
        # A letter cannot be clicked: the bank account and its QR code are
        # printed whenever the company has one, beside the page's address.
        return {
            "url": page._get_statement_url(),
            "short_url": page._get_short_url(),
            "can_pay_online": ways["pay_online"],
            "transfers": ways["transfers"],
            "contact": ways["contact"] if ways["contact_only"] else False,
        }

    def _get_contact_values(self):
        """Who the customer talks to: the company and the follow-up responsible."""
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        return {
            "company": self.company_id,
            "responsible": partner._get_followup_responsible(),
        }

    def _get_payment_ways(self, statement=None, partner=None, qr_image="base64"):
        """The ways the customer can pay what is overdue, the one rule shared by
        the page, the e-mail and the letter: offer only what exists.

        :param statement: the page's statement (``_get_statement``), computed
            when not given
        :param partner: who pays online (a portal user's contact); the page's
            customer by default
        :param qr_image: see ``_get_transfer_values``
        :return: a dict:

            - ``online``: per currency of the statement (res.currency), a dict
              ``invoices`` (the overdue invoices payable online in one payment),
              ``amount`` (their amount due) and ``providers`` (the payment
              providers able to take it; empty when none);
            - ``pay_online`` (bool): an overdue invoice can be paid online now;
            - ``transfers``: the list of ``_get_transfer_values`` entries that
              have a bank account (amount, reference, bank, QR code);
            - ``bank_transfer`` (bool): ``transfers`` is not empty;
            - ``contact_only`` (bool): neither online payment nor a bank
              account: the customer is asked to contact the company;
            - ``contact``: ``_get_contact_values()`` (the company, the
              responsible).
        """
        self.ensure_one()
        statement = statement or self._get_statement()
        partner = partner or self.partner_id
        # Sudo: the providers are configured by the company; a visitor by link
        # may not read them but may pay with the published ones.
        Provider = self.env["payment.provider"].sudo()
        online = {}
        for total in statement["totals"]:
            currency = total["currency"]
            invoices, amount = self._get_overdue_invoices(statement, currency)
            providers = Provider.browse()
            if invoices:
                providers = Provider._get_compatible_providers(
                    self.company_id.id, partner.id, amount, currency_id=currency.id
                ).filtered("is_published")  # what the customer sees, also when an employee asks
            online[currency] = {"invoices": invoices, "amount": amount, "providers": providers}
        transfers = [
            transfer for transfer in self._get_transfer_values(statement, qr_image=qr_image) if transfer["bank"]
        ]
        pay_online = any(pay["invoices"] and pay["providers"] for pay in online.values())
        return {
            "online": online,
            "pay_online": pay_online,
            "transfers": transfers,
            "bank_transfer": bool(transfers),
            "contact_only": not pay_online and not transfers,
            "contact": self._get_contact_values(),
        }

    # ------------------------------------------------------------
    # CUSTOMER ACTIONS
    # ------------------------------------------------------------

    @api.model
    def _is_customer_invoice(self, move):
        return move.move_type in ("out_invoice", "out_receipt")

    @api.model
    def _clean_customer_text(self, text):
        """What a customer typed, as plain text that can be stored: without
        control characters (a NUL byte cannot be), with plain line breaks."""
        text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
        return CONTROL_CHARACTERS.sub("", text).strip()

    def _followup_count_customer_action(self):
        """Count an action of the customer on the page (done or refused): a
        page accepts a bounded number of them a day, so that a link in the
        wrong hands cannot flood the responsible. Writing the page also
        serialises two actions sent at once (the second one is retried)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        # Sudo: the system parameter is the administrator's; a visitor may not read it.
        limit = int(self.env["ir.config_parameter"].sudo().get_param(MAX_ACTIONS_PARAM, MAX_ACTIONS_PER_DAY))
        count = self.action_count if self.action_date == today else 0
        if limit and count >= limit:
            raise FollowupCustomerError(
                _(
                    "You have reached the number of requests this page accepts in one day (%(limit)s). "
                    "Please try again tomorrow or contact us.",
                    limit=limit,
                )
            )
        self.write({"action_date": today, "action_count": count + 1})

    def _get_promise_moves(self, statement):
        """The invoices a customer may promise to pay: its overdue chased invoices."""
        moves = self._get_moves(self._get_overdue_lines(statement))
        return moves.filtered(self._is_customer_invoice)

    def _get_dispute_moves(self, statement):
        """The invoices a customer may dispute: its open invoices that are
        chased (owed, not on hold nor excluded, not in dispute already: see
        ``CHASABLE_SQL``)."""
        lines = [line for line in statement["lines"] if line["chasable"]]
        return self._get_moves(lines).filtered(
            lambda move: self._is_customer_invoice(move)
            and move.state == "posted"
            and move.payment_state in ("not_paid", "partial")
        )

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
            raise FollowupCustomerError(_("Choose an invoice of your statement."))
        return chosen

    # A customer's action on its page is recorded as the system's (OdooBot), as
    # Odoo's mail gateway records what it receives: the visitor by link is the
    # public user, who has no e-mail address to send the responsible's
    # notifications from, and whose name would sign the chatter. The page is
    # already read with sudo(); the customer's text and choices were checked
    # above against the page's own statement.

    def _followup_customer_promise(self, move_ref, date):
        """The customer promises to pay one or all of its overdue invoices by
        ``date``.

        The same promise again changes nothing; another date for an invoice
        whose promise is pending is refused (the customer contacts the
        company); the latest date allowed counts from the customer's first
        promise of the invoice, so that promising again never pushes it back;
        after two broken promises of an invoice, no more online.

        :return: the promises made (account.followup.promise; empty when the
            same promise was already pending)
        """
        self.ensure_one()
        statement = self._get_statement()
        moves = self._get_chosen_moves(self._get_promise_moves(statement), move_ref, allow_all=True)
        try:
            date = fields.Date.to_date(date)
        except ValueError:
            date = None
        if not date:
            raise FollowupCustomerError(_("Choose the date by which you will pay."))
        today = fields.Date.context_today(self)
        if date < today:
            raise FollowupCustomerError(_("A promise to pay is for today or a later date."))
        Promise = self.env["account.followup.promise"]
        # A promise whose date has passed is judged (broken) before anything else.
        Promise._followup_check_promises(moves=moves, today=today)
        max_days = self.company_id.followup_promise_max_days
        to_promise = moves.browse()
        for move in moves:
            promises = move.followup_promise_ids
            pending = promises.filtered(lambda p: p.state == "open")
            if pending and all(p.date == date for p in pending):
                continue  # the same promise again: nothing changes
            if pending:
                raise FollowupCustomerError(
                    _(
                        "You already promised to pay %(invoice)s by %(date)s. "
                        "Please contact us to change this date.",
                        invoice=move.name,
                        date=format_date(self.env, pending[0].date),
                    )
                )
            if len(promises.filtered(lambda p: p.state == "broken")) >= 2:
                raise FollowupCustomerError(
                    _(
                        "You already promised twice to pay %(invoice)s and the dates have passed: "
                        "a new date cannot be promised online. Please contact us.",
                        invoice=move.name,
                    )
                )
            if max_days:
                customer_promises = promises.filtered(lambda p: p.origin == "customer")
                first = min(customer_promises.mapped("made_on"), default=today)
                latest = fields.Date.add(first, days=max_days)
                if date > latest:
                    raise FollowupCustomerError(
                        _(
                            "You can promise to pay %(invoice)s within %(days)s days of your first promise, "
                            "by %(date)s at the latest. Please contact us for a later date.",
                            invoice=move.name,
                            days=max_days,
                            date=format_date(self.env, latest),
                        )
                    )
            to_promise |= move
        if not to_promise:
            return Promise
        return (
            to_promise.with_company(self.company_id).with_user(SUPERUSER_ID)._followup_promise(date, origin="customer")
        )

    def _followup_customer_dispute(self, move_ref, reason_ref, comment):
        """The customer disputes one of its invoices, for a reason of the
        company's list, with a comment (plain text, at most
        ``COMMENT_MAX_LENGTH`` characters: a longer one is refused, the
        customer shortens it). The same dispute sent again changes nothing.

        :return: the dispute (account.followup.dispute)
        """
        self.ensure_one()
        statement = self._get_statement()
        comment = self._clean_customer_text(comment)
        reason = self._get_dispute_reasons().filtered(lambda r: str(r.id) == str(reason_ref))
        statement_moves = self._get_moves(statement["lines"])
        try:
            move_id = int(move_ref)
        except (TypeError, ValueError):
            move_id = None
        # Sudo: a visitor by link may not read disputes; these are its own invoices'.
        same = (
            self.env["account.followup.dispute"]
            .sudo()
            .search(
                [
                    ("move_id", "in", statement_moves.filtered(lambda m: m.id == move_id).ids),
                    ("state", "=", "open"),
                    ("origin", "=", "customer"),
                    ("reason", "in", reason.ids),
                    ("comment", "=", comment),
                ],
                limit=1,
            )
        )
        if same and comment:
            return same  # the same dispute again: nothing changes
        moves = self._get_chosen_moves(self._get_dispute_moves(statement), move_ref)
        if not reason:
            raise FollowupCustomerError(_("Choose the reason of the dispute."))
        if not comment:
            raise FollowupCustomerError(_("Tell us what is wrong with the invoice."))
        if len(comment) > COMMENT_MAX_LENGTH:
            raise FollowupCustomerError(
                _(
                    "Your comment is %(length)s characters long: please shorten it to %(max)s characters at most.",
                    length=len(comment),
                    max=COMMENT_MAX_LENGTH,
                )
            )
        return (
            moves.with_company(self.company_id)
            .with_user(SUPERUSER_ID)
            ._followup_open_dispute(reason, comment, origin="customer")
        )

    def _get_dispute_reasons(self):
        """The reasons a customer of the page's company may choose from."""
        self.ensure_one()
        return (
            self.env["account.followup.dispute.reason"]
            .sudo()
            .search(["|", ("company_id", "=", False), ("company_id", "=", self.company_id.id)])
        )
