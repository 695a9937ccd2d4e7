import logging
import threading
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, html2plaintext

from .account_followup import STATUS_ACTION, STATUS_NONE, STATUS_OVERDUE, FollowupSkip

_logger = logging.getLogger(__name__)

# A customer with this many broken promises within this many days is suggested "bad debtor".
BAD_DEBTOR_BROKEN_PROMISES = 2
BAD_DEBTOR_WINDOW_DAYS = 90

# What a billing user may change on a customer it can read (see _followup_write).
FOLLOWUP_WRITABLE_FIELDS = (
    "followup_reminder_type",
    "followup_planned_date",
    "followup_responsible_id",
    "followup_letter_to_print",
    "trust",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The follow-up situation is computed from the open items each time it is
    # read or searched (set-based, see account.followup): it is right at every
    # moment without a nightly recompute. Only what a person decides is stored,
    # per company like Odoo's own `trust`: a customer shared by two companies
    # is followed up by each on its own.
    followup_status = fields.Selection(
        [
            (STATUS_ACTION, "In need of action"),
            (STATUS_OVERDUE, "With overdue invoices"),
            (STATUS_NONE, "No action needed"),
        ],
        string="Follow-up Status",
        compute="_compute_followup_data",
        groups="account.group_account_readonly,account.group_account_invoice",
        search="_search_followup_status",
    )
    followup_level_id = fields.Many2one(
        "account.followup.level",
        string="Follow-up Level",
        compute="_compute_followup_data",
        groups="account.group_account_readonly,account.group_account_invoice",
        search="_search_followup_level_id",
        help="The last level reached by the customer's oldest overdue invoice.",
    )
    followup_next_action_date = fields.Date(
        string="Next Follow-up",
        compute="_compute_followup_data",
        groups="account.group_account_readonly,account.group_account_invoice",
        inverse="_inverse_followup_next_action_date",
        search="_search_followup_next_action_date",
        help="When the next follow-up level becomes due; in manual mode, the date a person planned.",
    )
    followup_reminder_type = fields.Selection(
        [("automatic", "Automatic"), ("manual", "Manual")],
        string="Reminders",
        company_dependent=True,
        help="Automatic: the follow-up plan decides when. Manual: a person planned the next reminder.",
    )
    followup_planned_date = fields.Date(
        string="Planned Reminder",
        company_dependent=True,
        copy=False,
        help="Next reminder date planned by a person (manual mode).",
    )
    followup_responsible_id = fields.Many2one(
        "res.users",
        string="Follow-up Responsible",
        company_dependent=True,
        help="Receives this customer's follow-up activities. Empty: the salesperson.",
    )
    followup_letter_to_print = fields.Boolean(
        company_dependent=True,
        copy=False,
        help="A follow-up letter is waiting to be printed and posted.",
    )
    total_due = fields.Monetary(
        compute="_compute_followup_data",
        currency_field="followup_currency_id",
        groups="account.group_account_readonly,account.group_account_invoice",
    )
    total_overdue = fields.Monetary(
        compute="_compute_followup_data",
        currency_field="followup_currency_id",
        groups="account.group_account_readonly,account.group_account_invoice",
    )
    followup_currency_id = fields.Many2one("res.currency", compute="_compute_followup_currency_id")
    followup_step_ids = fields.One2many(
        "account.followup.step",
        "partner_id",
        string="Follow-up History",
        groups="account.group_account_readonly,account.group_account_invoice",
    )
    followup_step_count = fields.Integer(
        compute="_compute_followup_step_count",
        groups="account.group_account_readonly,account.group_account_invoice",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    def _get_followup_summaries(self):
        """Summaries of these partners' commercial entities in the current company."""
        partners = self.commercial_partner_id
        return self.env["account.followup"]._get_partner_summaries(
            self.env.company, partner_ids=partners.ids if self.ids else None
        )

    @api.depends_context("company")
    def _compute_followup_step_count(self):
        counts = dict(
            self.env["account.followup.step"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.followup_step_count = counts.get(partner.commercial_partner_id, 0)

    @api.depends_context("company")
    def _compute_followup_currency_id(self):
        self.followup_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    @api.depends("followup_reminder_type", "followup_planned_date")
    def _compute_followup_data(self):
        real = self.filtered("id")
        summaries = real._get_followup_summaries() if real else {}
        today = fields.Date.context_today(self)
        followup = self.env["account.followup"]
        for partner in self:
            commercial = partner.commercial_partner_id
            summary = summaries.get(commercial.id)
            partner.total_due = summary["balance"] if summary else 0.0
            partner.total_overdue = summary["total_overdue"] if summary else 0.0
            partner.followup_level_id = summary["reached"] if summary else False
            status = summary["status"] if summary else STATUS_NONE
            next_date = summary["next_date"] if summary else False
            if commercial.followup_reminder_type == "manual":
                status, next_date = followup._apply_manual_mode(summary, commercial.followup_planned_date, today)
            partner.followup_status = status
            partner.followup_next_action_date = next_date

    def _inverse_followup_next_action_date(self):
        for partner in self:
            partner._followup_write(
                {
                    "followup_planned_date": partner.followup_next_action_date,
                    "followup_reminder_type": "manual",
                }
            )

    def _get_followup_status_partner_ids(self):
        """{status: set of commercial partner ids} for the current company, in one pass."""
        summaries = self.env["account.followup"]._get_partner_summaries(self.env.company)
        today = fields.Date.context_today(self)
        by_status = {STATUS_ACTION: set(), STATUS_OVERDUE: set(), STATUS_NONE: set()}
        manual = {
            partner.id: partner.followup_planned_date
            for partner in self.env["res.partner"].search_fetch(
                [("followup_reminder_type", "=", "manual")], ["followup_planned_date"]
            )
        }
        followup = self.env["account.followup"]
        for partner_id, summary in summaries.items():
            status = summary["status"]
            if partner_id in manual:
                status, _next_date = followup._apply_manual_mode(summary, manual[partner_id], today)
            by_status[status].add(partner_id)
        return by_status, summaries

    def _search_followup_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the follow-up status: %s", operator))
        values = {value} if isinstance(value, str) else set(value or [])
        by_status, _summaries = self._get_followup_status_partner_ids()
        positive = operator in ("=", "in")
        if STATUS_NONE in values:
            # "no action needed" is everybody but the others.
            other_ids = set().union(*(ids for status, ids in by_status.items() if status not in values))
            return [("id", "not in" if positive else "in", list(other_ids))]
        ids = set().union(*(by_status[status] for status in values if status in by_status))
        return [("id", "in" if positive else "not in", list(ids))]

    def _search_followup_level_id(self, operator, value):
        """Customers whose oldest chased item reached the given level(s); any
        operator on levels works (ids, names with ilike, False for none)."""
        summaries = self.env["account.followup"]._get_partner_summaries(self.env.company)
        with_level = {pid for pid, summary in summaries.items() if summary["reached"]}
        if value is False or value is None:
            # ("followup_level_id", "=", False): customers who reached no level
            return [("id", "not in" if operator == "=" else "in", list(with_level))]
        levels = self.env["account.followup.level"].search([("id", operator, value)])
        if operator in ("ilike", "like", "=ilike", "=like", "not ilike", "not like"):
            levels = self.env["account.followup.level"].search([("name", operator, value)])
        ids = [pid for pid, summary in summaries.items() if summary["reached"] in levels]
        return [("id", "in", ids)]

    def _search_followup_next_action_date(self, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise UserError(_("Unsupported search on the next follow-up date: %s", operator))
        value = fields.Date.to_date(value)
        ops = {
            "=": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }
        summaries = self.env["account.followup"]._get_partner_summaries(self.env.company)
        manual = self.search_fetch([("followup_reminder_type", "=", "manual")], ["followup_planned_date"])
        dates = {pid: summary["next_date"] for pid, summary in summaries.items()}
        dates.update({partner.id: partner.followup_planned_date for partner in manual})
        ids = [pid for pid, date in dates.items() if date and ops[operator](date, value)]
        return [("id", "in", ids)]

    # ------------------------------------------------------------
    # ACTION METHODS
    # ------------------------------------------------------------

    def action_followup_back_to_automatic(self):
        self._followup_write({"followup_reminder_type": "automatic", "followup_planned_date": False})
        for partner in self:
            partner.message_post(body=_("Follow-up reminders are back to automatic: the plan decides when."))
        return True

    def action_followup_open_history(self):
        """The follow-up steps of this customer (smart button)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_payment_followup.account_followup_step_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_partner_id": self.commercial_partner_id.id}
        return action

    def action_followup_open_plan_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Plan the next reminder"),
            "res_model": "res.partner.followup.plan",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    def action_followup_open_note_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Log a note"),
            "res_model": "res.partner.followup.note",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    def action_followup_open_statement(self):
        """The Customer statements screen, on this customer (even when nothing is due)."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "account_payment_followup.customer_statements",
            "name": _("Customer Statements"),
            "params": {"partner_id": self.commercial_partner_id.id},
        }

    def action_followup_print_letter(self):
        """Print the follow-up letters of these customers as one PDF."""
        partners = self.commercial_partner_id
        if self.env.user.has_group("account.group_account_invoice"):
            partners._followup_write({"followup_letter_to_print": False})
        return self.env.ref("account_payment_followup.action_report_followup_letter").report_action(partners)

    def action_followup_send_email(self):
        """Open the mail composer on the level's template, editable for this customer."""
        self.ensure_one()
        partner = self.commercial_partner_id
        template = partner._get_followup_mail_template()
        recipients = partner._get_followup_email_recipients()
        return {
            "type": "ir.actions.act_window",
            "name": _("Send a payment reminder"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": partner.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_partner_ids": recipients.ids,
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "followup_level_id": partner.followup_level_id.id
                if partner.followup_status == STATUS_ACTION
                else False,
            },
        }

    def action_followup_send_emails(self):
        """Send their reminder to several customers at once, each with the
        template of its own level; a level that was due is recorded."""
        sent, skipped = [], []
        for partner in self.commercial_partner_id:
            partner._check_followup_access()
            level = partner.followup_level_id
            due = partner.followup_status == STATUS_ACTION
            mail_level = level if level.send_email else level.browse()
            try:
                partner._followup_send_email(mail_level, template=partner._get_followup_mail_template())
            except FollowupSkip as skip:
                skipped.append(f"{partner.display_name}: {skip}")
                continue
            if due and level:
                partner._followup_record_level(level)
            sent.append(partner.display_name)
        message = _("Reminders sent: %s.", len(sent))
        if skipped:
            message += " " + _("Not sent: %s", "; ".join(skipped))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Payment reminders"),
                "message": message,
                "type": "warning" if skipped else "success",
                "sticky": bool(skipped),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_followup_done(self):
        """A person did the follow-up proposed for these customers: record the
        level as executed (it will not be proposed again) and close its activities."""
        for partner in self.commercial_partner_id:
            level = partner.followup_level_id
            if partner.followup_status != STATUS_ACTION or not level:
                continue
            partner._followup_record_level(level)
            if partner.followup_reminder_type == "manual":
                # Done by hand: nothing more is planned until a person plans it.
                partner._followup_write({"followup_planned_date": False})
            partner.activity_ids.filtered(lambda a, level=level: a.followup_level_id == level).action_feedback(
                feedback=_("Follow-up done")
            )
            partner.message_post(body=_("Follow-up “%s” done.", level.name))
        return True

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        """Accountants chase customers without being allowed to edit contacts:
        billing users may post (notes, reminders) on the customers they can read."""
        access = super()._get_mail_message_access(res_ids, operation, model_name=model_name)
        if (
            operation == "create"
            and access == "write"
            and (model_name or self._name) == "res.partner"
            and self.env.user.has_group("account.group_account_invoice")
        ):
            return "read"
        return access

    def _followup_write(self, vals):
        """Write follow-up fields for a billing user who may read these customers
        but not edit contacts; nothing else can be written this way."""
        if set(vals) - set(FOLLOWUP_WRITABLE_FIELDS):
            raise UserError(_("Only follow-up fields can be changed here."))
        self._check_followup_access()
        return self.sudo().write(vals)

    def _check_followup_access(self):
        """Follow-up actions are for billing users, on customers they can read."""
        if self.env.su:
            return
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only billing users can change the follow-up of a customer."))
        self.check_access_rights("read")
        self.check_access_rule("read")

    def _get_followup_statement(self, only_overdue=False):
        """Statement values for the e-mail and letter templates (current company)."""
        self.ensure_one()
        return self.env["account.followup"]._get_statement(self.commercial_partner_id, only_overdue=only_overdue)

    def _get_followup_email_recipients(self):
        """The customer's invoice contacts with an e-mail address, else the customer."""
        self.ensure_one()
        partner = self.commercial_partner_id
        contacts = partner.child_ids.filtered(lambda c: c.type == "invoice" and c.email)
        if not contacts and partner.email:
            contacts = partner
        return contacts

    def _format_followup_phone(self, number, force_format="E164"):
        """``number`` validated and formatted with phonenumbers for the
        customer's country (else the company's), or None when it is not valid."""
        self.ensure_one()
        from odoo.addons.phone_validation.tools import phone_validation

        country = self.commercial_partner_id.country_id or self.env.company.country_id
        try:
            return phone_validation.phone_format(
                number,
                country.code if country else None,
                country.phone_code if country else None,
                force_format=force_format,
                raise_exception=True,
            )
        except UserError:
            return None

    def _get_followup_sms_number(self):
        """The customer's mobile (else phone) in E.164, or None."""
        self.ensure_one()
        partner = self.commercial_partner_id
        for number in (partner.mobile, partner.phone):
            formatted = number and partner._format_followup_phone(number)
            if formatted:
                return formatted
        return None

    def _get_followup_responsible(self, level=None):
        self.ensure_one()
        return (
            (level and level.manual_action_responsible_id)
            or self.followup_responsible_id
            or self.user_id
            or self.env.company.followup_default_responsible_id
            or self.env.ref("base.user_admin")
        )

    def _followup_record_level(self, level, today=None):
        """Record that ``level`` was executed for this customer: each chased item
        gets the level it has reached (never lower than what it had), so no level
        is ever sent twice for the same item."""
        self.ensure_one()
        self._check_followup_access()
        today = today or fields.Date.context_today(self)
        followup = self.env["account.followup"]
        levels = followup._get_levels(self.env.company).filtered(lambda lvl: lvl.delay <= level.delay)
        items = followup._get_statement_items(self, self.env.company).filtered(
            lambda item: item.amount_residual > 0
            and not item.blocked
            and not item.move_id.followup_excluded
            and not item.move_id.followup_in_dispute  # disputes: not chased
            and not (item.move_id.expected_payment_date and item.move_id.expected_payment_date > today)
        )
        to_write = {}
        for item in items:
            reached = followup._item_reached_level(levels, item, today)
            if reached and (not item.followup_level_id or item.followup_level_id.delay < reached.delay):
                to_write[item.id] = reached.id
        if to_write:
            # Follow-up bookkeeping only (no amount, account or tax): one query
            # whatever the number of items and of levels they reached, where the
            # ORM would write once per level and run account.move.line.write's
            # invoice synchronisation (a third of a follow-up's time) for nothing.
            Line = self.env["account.move.line"]
            Line.flush_model(["followup_level_id", "followup_date"])
            self.env.cr.execute(
                """
                UPDATE account_move_line aml
                   SET followup_level_id = item.level_id, followup_date = %s,
                       write_uid = %s, write_date = (now() at time zone 'UTC')
                  FROM unnest(%s::int[], %s::int[]) AS item(id, level_id)
                 WHERE aml.id = item.id
                """,
                [today, self.env.uid, list(to_write), list(to_write.values())],
            )
            Line.browse(to_write).invalidate_recordset(
                ["followup_level_id", "followup_date", "write_uid", "write_date"]
            )
        # Update the partner row so that a concurrent run whose snapshot is
        # older than our commit gets a serialization error when it locks the
        # row, instead of sending again on stale data (see _lock_partner).
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = (now() at time zone 'UTC'), write_uid = %s WHERE id = %s",
            [self.env.uid, self.id],
        )
        self.invalidate_recordset(["followup_status", "followup_level_id", "followup_next_action_date"])

    def _followup_log(self, level, done, skipped):
        """Log what a follow-up did, and did not do, in the customer's chatter."""
        self.ensure_one()
        items = list(done) + [
            _("Skipped: %(action)s (%(reason)s)", action=action, reason=reason) for action, reason in skipped
        ]
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            _("Payment follow-up “%s”", level.name),
            Markup("").join(Markup("<li>%s</li>") % item for item in items),
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _followup_report_skipped(self, level, skipped):
        """Ask the responsible to fix what prevented an action."""
        self.ensure_one()
        reasons = "; ".join(f"{action}: {reason}" for action, reason in skipped)
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Fix the follow-up data of %s", self.display_name),
            note=_(
                "The follow-up “%(level)s” could not do everything: %(reasons)s",
                level=level.name,
                reasons=reasons,
            ),
            user_id=self._get_followup_responsible(level).id,
            followup_level_id=level.id,
        )

    @api.model
    def _is_followup_auto_commit(self):
        return not getattr(threading.current_thread(), "testing", False)

    @api.model
    def _cron_execute_followups(self, batch_size=100):
        """Execute today's automated follow-ups of every enabled company."""
        self._retry_failed_followup_mails()
        companies = self.env["res.company"].search([("payment_followup_enabled", "=", True)])
        remaining = False
        for company in companies:
            followup = self.env["account.followup"].with_company(company)
            remaining |= followup._execute_followups(company, batch_size=batch_size)
        if remaining and self._is_followup_auto_commit():
            self.env.ref("account_payment_followup.ir_cron_payment_followup")._trigger()
        return True

    @api.model
    def _retry_failed_followup_mails(self):
        """Payment reminders that failed because the mail server could not be
        reached go back to Odoo's mail queue; the follow-up step itself was
        recorded once and is not redone. Wrong addresses are not retried."""
        failed = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("state", "=", "exception"),
                    ("mail_message_id.subtype_id", "=", self.env.ref("account_payment_followup.mt_followup").id),
                    ("failure_type", "in", [False, "mail_smtp", "unknown"]),
                ]
            )
        )
        if failed:
            _logger.info("Payment follow-ups: %s reminder e-mail(s) queued again", len(failed))
            failed.write({"state": "outgoing", "failure_reason": False})

    # ------------------------------------------------------------
    # FOLLOW-UP ACTIONS (each returns what it did, or raises FollowupSkip)
    # ------------------------------------------------------------

    def _get_followup_mail_template(self):
        """The e-mail template of the customer's level, else of the first level that sends one."""
        self.ensure_one()
        level = self.followup_level_id
        if level.mail_template_id:
            return level.mail_template_id
        levels = self.env["account.followup"]._get_levels(self.env.company).filtered("mail_template_id")
        return levels[:1].mail_template_id or self.env.ref("account_payment_followup.mail_template_followup_first")

    def _followup_send_email(self, level, template=None):
        self.ensure_one()
        recipients = self._get_followup_email_recipients()
        if not recipients:
            raise FollowupSkip(_("the customer has no e-mail address"))
        template = template or level.mail_template_id
        subject = template._render_field("subject", self.ids, compute_lang=True)[self.id]
        body = template._render_field("body_html", self.ids, compute_lang=True, options={"post_process": True})[self.id]
        attachments = []
        if level.join_invoices:
            try:
                attachments = self._get_followup_invoice_attachments()
            except Exception as error:  # wkhtmltopdf missing or failing: send the e-mail without PDFs
                _logger.warning("Follow-up of partner %s: invoice PDFs not attached: %s", self.id, error)
                self.message_post(
                    body=_("Payment follow-up: the invoices could not be attached to the e-mail (%s).", error),
                    subtype_xmlid="mail.mt_note",
                )
        test_address = self.env.company.followup_test_email
        if test_address:
            # Test mode: every follow-up e-mail goes to one address, nobody else.
            message = self.message_post(
                body=body,
                subject=subject,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                attachments=attachments,
            )
            self.env["mail.mail"].sudo().create(
                {
                    "body_html": body,
                    "email_to": test_address,
                    "mail_message_id": message.id,
                    "attachment_ids": [fields.Command.set(message.attachment_ids.ids)],
                }
            )
            return _("e-mail sent to the test address %s", test_address)
        email_from = template._render_field("email_from", self.ids)[self.id] or self.env.company.email_formatted
        self.with_context(mail_notify_force_send=False, mail_post_autofollow=False).message_post(
            body=body,
            subject=subject,
            email_from=email_from,
            partner_ids=recipients.ids,
            message_type="comment",
            subtype_xmlid="account_payment_followup.mt_followup",
            attachments=attachments,
            email_layout_xmlid="mail.mail_notification_light",
        )
        return _("e-mail sent to %s", ", ".join(recipients.mapped("email_formatted")))

    def _get_followup_invoice_attachments(self):
        """PDFs of the customer's overdue invoices, as (name, content) pairs."""
        statement = self._get_followup_statement(only_overdue=True)
        moves = self.env["account.move"].browse({line["move_id"] for line in statement["lines"]})
        attachments = []
        for move in moves.filtered(lambda m: m.move_type in ("out_invoice", "out_receipt")):
            content, _type = self.env["ir.actions.report"]._render_qweb_pdf("account.account_invoices", move.ids)
            attachments.append((f"{move._get_report_base_filename()}.pdf", content))
        return attachments

    def _followup_send_letter(self, level):
        self.ensure_one()
        if not self._has_followup_postal_address():
            raise FollowupSkip(_("the customer has no complete postal address"))
        if "snailmail.letter" in self.env and level.auto_execute:
            report = self.env.ref("account_payment_followup.action_report_followup_letter")
            self.env["snailmail.letter"].sudo().create(
                {
                    "partner_id": self.id,
                    "model": "res.partner",
                    "res_id": self.id,
                    "user_id": self.env.user.id,
                    "company_id": self.env.company.id,
                    "report_template": report.id,
                }
            )
            return _("letter posted with Snailmail")
        self.sudo().followup_letter_to_print = True
        return _("letter waiting to be printed")

    def _has_followup_postal_address(self):
        self.ensure_one()
        return bool((self.street or self.street2) and self.city and self.country_id)

    def _followup_send_sms(self, level):
        self.ensure_one()
        number = self._get_followup_sms_number()
        if not number:
            raise FollowupSkip(_("the customer has no valid mobile number"))
        body = level.sms_template_id._render_field("body", self.ids, compute_lang=True)[self.id]
        self._message_sms(body, sms_numbers=[number], put_in_queue=True)
        return _("SMS sent to %s", number)

    def _followup_schedule_manual_action(self, level):
        self.ensure_one()
        responsible = self._get_followup_responsible(level)
        # The responsible's "activity assigned" e-mail goes through the mail
        # queue, like the reminders: no SMTP connection per customer at commit.
        self.with_context(mail_notify_force_send=False).activity_schedule(
            activity_type_id=(
                level.manual_action_type_id or self.env.ref("account_payment_followup.mail_activity_type_followup")
            ).id,
            summary=level.name,
            note=level.manual_action_note,
            user_id=responsible.id,
            followup_level_id=level.id,
        )
        return _("activity “%(action)s” for %(user)s", action=level.manual_action_note, user=responsible.name)

    def _followup_propose_level(self, level):
        """A level for a person: propose it as an activity, once."""
        self.ensure_one()
        if self.activity_ids.filtered(lambda a: a.followup_level_id == level):
            return
        self._followup_schedule_manual_action(level)

    # ------------------------------------------------------------
    # DISPUTES, PROMISES AND REPLIES: the conversation with the customer
    # drives the follow-up (replies to reminders pause the automated ones,
    # promises are kept or broken and suggest a trust; disputes: see
    # account.followup.dispute)
    # ------------------------------------------------------------

    followup_paused_until = fields.Date(
        string="Reminders Paused Until",
        company_dependent=True,
        copy=False,
        help="The customer replied to a reminder: no automated reminder before this date.",
    )
    followup_promises_kept_count = fields.Integer(
        string="Promises Kept",
        compute="_compute_followup_promises",
        groups="account.group_account_readonly,account.group_account_invoice",
    )
    followup_promises_broken_count = fields.Integer(
        string="Promises Broken",
        compute="_compute_followup_promises",
        groups="account.group_account_readonly,account.group_account_invoice",
    )
    followup_suggested_trust = fields.Selection(
        [("good", "Good Debtor"), ("normal", "Normal Debtor"), ("bad", "Bad Debtor")],
        string="Suggested Trust",
        compute="_compute_followup_promises",
        groups="account.group_account_readonly,account.group_account_invoice",
        help="What the promises suggest, when it differs from the customer's trust: "
        "two promises broken within 90 days suggest a bad debtor. A person confirms.",
    )

    @api.depends_context("company")
    def _compute_followup_promises(self):
        commercial = self.commercial_partner_id
        Promise = self.env["account.followup.promise"].sudo()
        counts = {
            (partner.id, state): count
            for partner, state, count in Promise._read_group(
                [
                    ("partner_id", "in", commercial.ids),
                    ("company_id", "=", self.env.company.id),
                    ("state", "in", ("kept", "broken")),
                ],
                ["partner_id", "state"],
                ["__count"],
            )
        }
        since = fields.Date.context_today(self) - timedelta(days=BAD_DEBTOR_WINDOW_DAYS)
        recent_broken = dict(
            Promise._read_group(
                [
                    ("partner_id", "in", commercial.ids),
                    ("company_id", "=", self.env.company.id),
                    ("state", "=", "broken"),
                    ("date", ">=", since),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            entity = partner.commercial_partner_id
            partner.followup_promises_kept_count = counts.get((entity.id, "kept"), 0)
            partner.followup_promises_broken_count = counts.get((entity.id, "broken"), 0)
            suggested = "bad" if recent_broken.get(entity, 0) >= BAD_DEBTOR_BROKEN_PROMISES else False
            partner.followup_suggested_trust = suggested if suggested != (entity.trust or "normal") else False

    def message_update(self, msg_dict, update_vals=None):
        """An e-mail reply to a payment reminder pauses the customer's automated
        reminders and tells the responsible."""
        result = super().message_update(msg_dict, update_vals=update_vals)
        reminder = self._followup_get_replied_reminder(msg_dict.get("parent_id"))
        if reminder:
            for partner in self:
                company = reminder.record_company_id or self.env.company
                partner.commercial_partner_id.with_company(company)._followup_register_reply(msg_dict)
        return result

    @api.model
    def _followup_get_replied_reminder(self, parent_id):
        """The payment reminder a gateway message answers (directly, or through
        an earlier answer in the same conversation), or an empty recordset."""
        Message = self.env["mail.message"].sudo()
        reminder_subtype = self.env.ref("account_payment_followup.mt_followup")
        message = Message.browse(parent_id).exists() if parent_id else Message
        while message:
            if message.subtype_id == reminder_subtype:
                return message
            message = message.parent_id
        return Message

    def _followup_register_reply(self, msg_dict):
        self.ensure_one()
        today = fields.Date.context_today(self)
        days = self.env.company.followup_reply_pause_days
        paused_until = today + timedelta(days=days) if days > 0 else False
        if paused_until and (not self.followup_paused_until or self.followup_paused_until < paused_until):
            self.sudo().followup_paused_until = paused_until
        reply = html2plaintext(msg_dict.get("body") or "").strip()
        sender = msg_dict.get("email_from") or self.display_name
        responsible = self._get_followup_responsible()
        self.sudo().with_context(mail_notify_force_send=False).activity_schedule(
            "account_payment_followup.mail_activity_type_followup",
            summary=_("Customer replied"),
            note=Markup("<p>%s</p><blockquote>%s</blockquote>")
            % (
                _("%(sender)s replied to the payment reminder:", sender=sender),
                Markup("<br/>").join(reply.splitlines()[:40]),
            ),
            user_id=responsible.id,
        )
        if paused_until:
            body = _(
                "The customer replied to the payment reminder: automated reminders paused until %(date)s.",
                date=format_date(self.env, paused_until),
            )
        else:
            body = _("The customer replied to the payment reminder.")
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    def _followup_is_paused(self, today):
        """Automated reminders wait: the customer replied to one lately."""
        self.ensure_one()
        return bool(self.followup_paused_until and self.followup_paused_until > today)

    def action_followup_resume(self):
        """Resume the automated reminders at once (after a customer's reply)."""
        self._check_followup_access()
        for partner in self.commercial_partner_id.filtered("followup_paused_until"):
            partner.sudo().followup_paused_until = False
            partner.message_post(body=_("Automated reminders resumed."), subtype_xmlid="mail.mt_note")
        return True

    def action_followup_apply_suggested_trust(self):
        """A person confirms the trust the promises suggest."""
        for partner in self.commercial_partner_id:
            suggested = partner.followup_suggested_trust
            if suggested:
                partner._followup_write({"trust": suggested})
                partner.message_post(
                    body=_("Trust set to “%(trust)s”, as its promises to pay suggest.", trust=suggested),
                    subtype_xmlid="mail.mt_note",
                )
        return True

    def action_followup_open_dispute(self):
        """Open a dispute on one of this customer's invoices."""
        self.ensure_one()
        self._check_followup_access()
        return self.env["account.followup.dispute"]._get_open_form_action(partner=self)

    def action_followup_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_payment_followup.account_followup_dispute_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _followup_notify_promise(self, promises, origin):
        """Tell the promise in the customer's chatter; a promise the customer
        made itself is also an activity for the responsible."""
        self.ensure_one()
        date = format_date(self.env, promises[:1].date)
        invoices = ", ".join(promises.move_id.mapped("name"))
        if origin == "customer":
            body = _(
                "The customer promised to pay %(invoices)s by %(date)s.",
                invoices=invoices,
                date=date,
            )
        else:
            body = _(
                "Promise to pay %(invoices)s by %(date)s, recorded by %(user)s.",
                invoices=invoices,
                date=date,
                user=self.env.user.name,
            )
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        if origin == "customer":
            self.sudo().with_context(mail_notify_force_send=False).activity_schedule(
                "account_payment_followup.mail_activity_type_followup",
                summary=_("Promise to pay"),
                note=body,
                user_id=self._get_followup_responsible().id,
            )

    def _followup_notify_broken_promises(self, promises):
        """The dates have passed and the invoices are still open: the responsible
        is told; the invoices are chased again (their expected date is past)."""
        self.ensure_one()
        body = _(
            "Promise to pay broken: %(promises)s still unpaid. The follow-up resumes.",
            promises=promises._followup_describe(),
        )
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        self.sudo().with_context(mail_notify_force_send=False).activity_schedule(
            "account_payment_followup.mail_activity_type_followup",
            summary=_("Promise to pay broken"),
            note=body,
            user_id=self._get_followup_responsible().id,
        )
