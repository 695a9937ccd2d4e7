"""Promises to pay (``account.followup.promise``) seen from the customer: kept
and broken counts, the trust they suggest, the responsible told when one is
made or broken."""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import format_date

_logger = logging.getLogger(__name__)

# A customer with this many broken promises within this many days is suggested "bad debtor".
BAD_DEBTOR_BROKEN_PROMISES = 2
BAD_DEBTOR_WINDOW_DAYS = 90


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

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

    def action_followup_apply_suggested_trust(self):
        """A person confirms the trust the promises suggest."""
        self._check_followup_access()
        for partner in self.commercial_partner_id:
            suggested = partner.followup_suggested_trust
            if suggested:
                partner._followup_write({"trust": suggested})
                partner._message_post_followup(
                    body=_("Trust set to “%(trust)s”, as its promises to pay suggest.", trust=suggested)
                )
        return True

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
