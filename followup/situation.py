"""One customer's follow-up situation, worked out once and passed down.

``account.followup._get_situations`` builds these for a whole batch of
customers with two queries (the aggregated summary and the open items); the
channels, the templates and ``_record_step`` read them instead of asking the
database again.
"""

from functools import cached_property

from odoo import _
from odoo.tools import formatLang

from .collection_costs import bik_collection_costs
from .notice import notice_text


class FollowupSituation:
    def __init__(
        self,
        env,
        partner,
        company,
        today,
        summary,
        rows,
        plan,
        open_step,
        open_steps=None,
        page=None,
        followup_plan=None,
    ):
        self.env = env
        self.partner = partner  # the commercial partner, in the company
        self.company = company
        self.today = today
        self.summary = summary or {}
        self.rows = rows  # its open items, as read by account.followup._read_open_items
        self.plan = plan  # [(delay, level)] of the customer's plan, ordered by delay
        # the customer's plan (account.followup.plan), whose levels ``plan`` lists
        self.followup_plan = followup_plan if followup_plan is not None else env["account.followup.plan"]
        self.open_step = open_step  # the step in progress for the level due, if any
        self.open_steps = open_steps if open_steps is not None else open_step  # all its steps in progress
        self.level = self.summary.get("level") or env["account.followup.level"]
        self._page = page  # its statement page, when the batch read it
        # What the customers of one batch share, worked out once for all of them
        # (the reminders' author, reply-to...): one dict per batch, see
        # account.followup._execute_followups; plain values, kept across commits.
        self.shared = {}
        # Its page row locked and updated by the scheduled action (see
        # account.followup._lock_partner): _record_step need not update it again.
        self.locked = False
        # The level due found on record with the lock (a step of another worker).
        self.on_record = False
        # The payment figures of its new step, read by the batch (see
        # account.followup.step._get_new_step_figures); None: computed after.
        self.payment_figures = None
        # The responsible's "activity assigned to you" e-mail is rendered after
        # the batch, not while the customer is done (the scheduled action, see
        # mail.activity._followup_notify_responsibles); a person sending from
        # the screens has it at once, as Odoo does.
        self.defer_notifications = False

    @property
    def page(self):
        """The customer's statement page in the company (sudo), created the
        first time it is needed: the engine's lock and the reminders' link."""
        if not self._page:
            self._page = self.env["account.followup.statement.page"].sudo()._get_page(self.partner, self.company)
        return self._page

    # ------------------------------------------------------------
    # WHAT IS DUE
    # ------------------------------------------------------------

    @property
    def status(self):
        return self.summary.get("status")

    @cached_property
    def statement(self):
        return self.env["account.followup"]._build_statement(self.partner, self.company, self.today, self.rows)

    def reached_level_of(self, row, ceiling=None):
        """The highest level of the plan the item's delay has reached (up to ``ceiling`` days)."""
        days_late = (self.today - row["due_date"]).days
        reached = None
        for delay, level in self.plan:
            if delay <= days_late and (ceiling is None or delay <= ceiling):
                reached = level
        return reached

    @cached_property
    def chased_rows(self):
        """The items a step concerns: chased today (chasable, not postponed by
        a promise: the ``chased`` flag of the open items) and old enough to
        have reached a level."""
        return [row for row in self.rows if row["chased"] and self.reached_level_of(row)]

    @cached_property
    def items(self):
        return self.env["account.move.line"].browse([row["id"] for row in self.chased_rows])

    # ------------------------------------------------------------
    # WHO AND HOW
    # ------------------------------------------------------------

    @cached_property
    def email_recipients(self):
        return self.partner._get_followup_email_recipients()

    @cached_property
    def sms_number(self):
        return self.partner._get_followup_sms_number()

    @cached_property
    def has_postal_address(self):
        return self.partner._has_followup_postal_address()

    @cached_property
    def responsible(self):
        return self.partner._get_followup_responsible(self.level or None)

    @cached_property
    def mail_template(self):
        return self.env["account.followup"]._get_mail_template(
            self.company, self.level, self.summary.get("reached"), plan=self.followup_plan
        )

    @cached_property
    def notice(self):
        """The 14-day notice the level's e-mail and letter carry to a consumer
        (the level's ``consumer_notice``): ``{"amount", "currency",
        "principal", "email", "letter"}``, the collection costs (BIK scale) on
        the principal of the overdue items the reminder names, together, and
        the notice's sentence for each medium in the customer's language (see
        followup/notice.py); False for a business, a level without the
        notice, or nothing overdue to charge."""
        level = self.level
        if not (level and level.consumer_notice) or self.partner.followup_debtor_type != "consumer":
            return False
        Step = self.env["account.followup.step"]
        principal = Step._get_notice_principal(self.company, self.items, self.today)
        amount = bik_collection_costs(principal)
        if not amount:
            return False
        currency = self.company.currency_id
        lang = self.partner.lang or self.env.lang
        env = self.env(context=dict(self.env.context, lang=lang))
        values = {
            "amount": formatLang(env, amount, currency_obj=currency),
            "principal": formatLang(env, principal, currency_obj=currency),
            "vat": self.company.followup_collection_costs_vat,
        }
        return {
            "amount": amount,
            "currency": currency,
            "principal": principal,
            "email": notice_text(lang, "email", **values),
            "letter": notice_text(lang, "letter", **values),
        }

    def get_render_context(self):
        """What the e-mail, SMS and letter templates render: the statement,
        the level and the 14-day notice, never a recomputation."""
        return {
            "followup_statement": self.statement,
            "followup_level": self.level or self.summary.get("reached"),
            "followup_notice": self.notice,
        }

    def get_page_values(self, qr_image="base64"):
        """What a reminder shows of the customer's statement page: its link
        (with the access token) and short address, the ways to pay, the
        contact (``account.followup.statement.page._get_reminder_values``), the
        page created if the customer has none yet. Worked out here, before
        rendering, and given to the template as ``followup_page``: the template
        only reads it.

        :param qr_image: "url" for an e-mail, "base64" for a letter (see
            ``account.followup.statement.page._get_transfer_values``)
        """
        return self.page._get_reminder_values(self.statement, qr_image=qr_image, page=self.page)

    def get_invoice_attachments(self):
        """PDFs of the customer's overdue invoices, as (name, content) pairs."""
        move_ids = {line["move_id"] for line in self.statement["lines"] if line["days_late"] > 0}
        moves = self.env["account.move"].browse(sorted(move_ids))
        attachments = []
        for move in moves.filtered(lambda m: m.move_type in ("out_invoice", "out_receipt")):
            content, _type = self.env["ir.actions.report"]._render_qweb_pdf("account.account_invoices", move.ids)
            attachments.append((f"{move._get_report_base_filename()}.pdf", content))
        return attachments

    def subscribe_with_batch(self, follower, wanted):
        """Make ``follower`` (res.partner) follow this customer, and, in the
        same statement, the customers of the batch ``wanted(situation)``
        selects (those a channel will post on or propose to the same person):
        one ``_message_subscribe`` per batch instead of one per customer, the
        same followers. What one customer's savepoint rolls back is forgotten
        (see account.followup._execute_in_savepoint)."""
        done = self.shared.setdefault("subscribed", {}).setdefault(follower.id, set())
        if self.partner.id in done:
            return
        ids = [pid for pid, other in self.shared.get("situations", {}).items() if pid not in done and wanted(other)]
        if self.partner.id not in ids:
            ids = self.partner.ids
        self.env["res.partner"].sudo().browse(ids)._message_subscribe(partner_ids=follower.ids)
        done.update(ids)

    def schedule_activity(self):
        """The level's action for a person, as an activity for the responsible."""
        level = self.level
        # The responsible's "activity assigned" e-mail goes through the mail
        # queue, like the reminders: no SMTP connection per customer at commit.
        # In the scheduled action it is rendered after the batch (see
        # defer_notifications): Odoo does not notify at creation
        # (mail_activity_quick_update), the activity says it is to be done.
        defer = self.defer_notifications and self.responsible != self.env.user
        # Odoo makes the responsible follow the customer when it creates the
        # activity: done for the batch's customers proposed to them at once,
        # Odoo's own subscription then finds it made.
        responsible = self.responsible
        self.subscribe_with_batch(
            responsible.sudo().partner_id,
            lambda other: other.level and not other.level.auto_execute and other.responsible == responsible,
        )
        # Scheduled by the system for the responsible, after the user's rights check.
        return (
            self.partner.sudo()
            .with_context(mail_notify_force_send=False, mail_activity_quick_update=defer)
            .activity_schedule(
                activity_type_id=(
                    level.manual_action_type_id.id
                    or self.env["ir.model.data"]._xmlid_to_res_id(
                        "account_payment_followup.mail_activity_type_followup"
                    )
                ),
                summary=level.name,
                note=level.manual_action_note or _("Follow-up “%s” proposed.", level.name),
                user_id=self.responsible.id,
                followup_level_id=level.id,
                followup_notify_pending=defer,
            )
        )
