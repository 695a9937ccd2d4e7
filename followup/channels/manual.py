"""The manual action: an activity for the person who calls, visits or writes."""

from odoo import _

from ..definitions import CHANNEL_TO_DO
from .base import ChannelOutcome, FollowupChannel


class ManualChannel(FollowupChannel):
    code = "manual"
    level_field = "manual_action"
    template_field = "manual_action_note"  # what the person is asked to do
    weight = 40
    for_person = True

    def get_template_error(self, level):
        if self.is_enabled(level) and not level.manual_action_note:
            return _("The follow-up level “%s” has a manual action: say what is to be done.", level.name)
        return ""

    def title(self):
        return _("Manual action")

    def label(self):
        return _("manual action")

    def describe(self, situation):
        return _("activity for %s", situation.responsible.name)

    def run(self, situation, options):
        activity = situation.schedule_activity()
        return ChannelOutcome(
            CHANNEL_TO_DO,
            _(
                "activity “%(action)s” for %(user)s",
                action=situation.level.manual_action_note or situation.level.name,
                user=situation.responsible.name,
            ),
            activity=activity,
        )
