"""The letter: printed by a person, or handed to Snailmail."""

from odoo import _

from ..definitions import CHANNEL_QUEUED, CHANNEL_SENT, CHANNEL_TO_DO
from .base import ChannelOutcome, FollowupChannel


class LetterChannel(FollowupChannel):
    code = "letter"
    level_field = "send_letter"
    weight = 30
    notification_type = "snail"  # Snailmail's, when it posts the letter
    sendable = True
    one_per_step = True

    def title(self):
        return _("Letter")

    def label(self):
        return _("letter")

    def get_summary(self, state, count):
        if state == CHANNEL_SENT:
            return _("1 letter printed") if count == 1 else _("%s letters printed", count)
        if state == CHANNEL_QUEUED:
            return _("1 letter handed to Snailmail") if count == 1 else _("%s letters handed to Snailmail", count)
        return None

    def get_blocker(self, situation):
        if not situation.has_postal_address:
            return _("the customer has no complete postal address")
        return ""

    def get_send_warnings(self, situation):
        if self.get_blocker(situation):
            return [_("%s has no complete postal address: no letter.", situation.partner.display_name)]
        return []

    def prepare_sending(self, situations, options):
        """The letters are produced first: a letter is recorded as printed only
        once its PDF exists, and nothing is sent when it cannot be produced."""
        partners = self.env["res.partner"].browse(
            [situation.partner.id for situation in situations if not self.get_blocker(situation)]
        )
        options.printed = True
        options.letter = partners._followup_render_letters() if partners else None

    def finish_sending(self, situations, options):
        """The letters printed are no longer to print; their PDF is downloaded."""
        partners = self.env["res.partner"].browse(
            [situation.partner.id for situation in situations if not self.get_blocker(situation)]
        )
        if partners:
            partners._followup_write({"followup_letter_to_print": False})
        if options.letter:
            return self.env["res.partner"]._followup_download_action(options.letter, close=True)
        return None

    def describe(self, situation):
        blocker = self.get_blocker(situation)
        return _("letter skipped: %s", blocker) if blocker else _("letter")

    def run(self, situation, options):
        self.check(situation)
        partner = situation.partner
        if options.printed:
            # Recorded once its PDF exists (res.partner._followup_render_letters).
            return ChannelOutcome(CHANNEL_SENT, _("letter printed by %s", self.env.user.name), record=options.letter)
        if "snailmail.letter" in self.env and situation.level.auto_execute:
            report = self.env.ref("account_payment_followup.action_report_followup_letter")
            letter = (
                self.env["snailmail.letter"]
                .sudo()
                .create(
                    {
                        "partner_id": partner.id,
                        "model": "res.partner",
                        "res_id": partner.id,
                        "user_id": self.env.user.id,
                        "company_id": situation.company.id,
                        "report_template": report.id,
                    }
                )
            )
            # Handed to Snailmail, not yet posted: it sends it when it has credits.
            # Its message's notification tells when it is posted or refused.
            return ChannelOutcome(
                CHANNEL_QUEUED, _("letter handed to Snailmail for posting"), record=letter, message=letter.message_id
            )
        partner.sudo().followup_letter_to_print = True
        return ChannelOutcome(CHANNEL_TO_DO, _("letter waiting to be printed"))
