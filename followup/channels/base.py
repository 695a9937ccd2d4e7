"""What every channel has: its outcome, the options a person chose, the skip."""

from dataclasses import dataclass


@dataclass
class ChannelOutcome:
    """What a channel did: its state (see account.followup.step.channel), a
    sentence for the chatter and the history, and what it produced."""

    state: str
    note: str
    reason: str = None
    message: object = None
    activity: object = None
    record: object = None


@dataclass
class ChannelOptions:
    """What a person changed before sending (the Send dialog); empty for the
    scheduled action, which sends the level's templates as they are."""

    subject: str = None
    body: str = None
    sms_body: str = None
    attach_invoices: bool = None
    send_now: bool = False
    printed: bool = False  # the letter was printed by the person sending
    letter: object = None  # the PDF produced for them (ir.attachment), recorded with the letter


class FollowupSkip(Exception):
    """A channel cannot run for this customer; the message says why, in the
    user's language."""


class FollowupChannel:
    """Base of the channels. ``level_field`` is the level's boolean that asks for it."""

    code = None
    level_field = None

    def __init__(self, env):
        self.env = env

    def label(self):
        raise NotImplementedError

    def is_enabled(self, level):
        return bool(level[self.level_field])

    def get_blocker(self, situation):
        """Why this channel cannot run for the customer, or an empty string."""
        return ""

    def describe(self, situation):
        """What running the channel would do (the preview)."""
        return self.label()

    def run(self, situation, options):
        """Do it; raise FollowupSkip when it cannot run for this customer."""
        raise NotImplementedError

    def check(self, situation):
        blocker = self.get_blocker(situation)
        if blocker:
            raise FollowupSkip(blocker)
