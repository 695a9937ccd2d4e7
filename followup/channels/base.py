"""What every channel has: its outcome, the options a person chose, the skip,
and the unit itself with everything the addon knows about a channel."""

from dataclasses import dataclass

from odoo import _


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
    """Base of the channels: one unit holds everything the addon knows about
    its channel. The engine, the level's checks, the history, the analysis, the
    e-mail cap, the preview and Send & Print read these attributes and methods
    from the table (``account.followup._get_channels()``), never a code.

    * ``code``: its value in the history (``account.followup.step.channel``);
    * ``level_field``: the level's boolean that asks for it;
    * ``template_field``: the level's template it needs when asked for, if any
      (see ``get_template_error``);
    * ``weight``: how personal it is; the step's "main action" is its action of
      the highest weight that reached the customer or a person;
    * ``notification_type``: the ``mail.notification`` type that tells what
      became of what it sent (sent, bounced, failed), if any;
    * ``capped``: counted by the safety cap of automated e-mails per run;
    * ``sendable``: offered in Send & Print; ``send_by_default``: proposed there
      when the level asks for no channel a person can send;
    * ``for_person``: the action of a person, the one a level proposed to a
      person (not executed automatically) runs;
    * ``one_per_step``: a step makes it once: a copy made after it was sent or
      queued is not recorded as a second one.
    """

    code = None
    level_field = None
    template_field = None
    weight = 0
    notification_type = None
    capped = False
    sendable = False
    send_by_default = False
    for_person = False
    one_per_step = False

    def __init__(self, env):
        self.env = env

    # ------------------------------------------------------------
    # LABELS
    # ------------------------------------------------------------

    def title(self):
        """Its name in the history, the analysis and Send & Print ("E-mail")."""
        raise NotImplementedError

    def label(self):
        """Its name within a sentence ("e-mail")."""
        raise NotImplementedError

    def get_summary(self, state, count):
        """What Send & Print says of ``count`` actions left in ``state``
        ("2 e-mails queued"), or None to say nothing."""
        return None

    # ------------------------------------------------------------
    # THE LEVEL
    # ------------------------------------------------------------

    def is_enabled(self, level):
        return bool(level[self.level_field])

    def get_level_fields(self):
        """The level's fields its checks read (``account.followup.level._check_channels``)."""
        return [name for name in (self.level_field, self.template_field) if name]

    def get_template_error(self, level):
        """Why the level cannot ask for this channel as it is set (its template
        missing), or an empty string."""
        return ""

    # ------------------------------------------------------------
    # A CUSTOMER
    # ------------------------------------------------------------

    def get_blocker(self, situation):
        """Why this channel cannot run for the customer, or an empty string."""
        return ""

    def get_send_warnings(self, situation):
        """What Send & Print warns of before running it for this customer."""
        blocker = self.get_blocker(situation)
        return (
            [_("%(customer)s: %(reason)s", customer=situation.partner.display_name, reason=blocker)] if blocker else []
        )

    def is_proposed(self, level):
        """Whether Send & Print proposes it for ``level`` (asked for by the level)."""
        return True

    def describe(self, situation):
        """What running the channel would do (the preview)."""
        return self.label()

    # ------------------------------------------------------------
    # RUNNING IT
    # ------------------------------------------------------------

    def prepare_sending(self, situations, options):
        """Send & Print, before it runs the channel for ``situations``: what
        must exist first (the letters' PDF) goes into ``options``."""

    def finish_sending(self, situations, options):
        """Send & Print, after it ran the channel: what follows (the letters'
        PDF to download) as an action, or None."""
        return None

    def run(self, situation, options):
        """Do it; raise FollowupSkip when it cannot run for this customer."""
        raise NotImplementedError

    def check(self, situation):
        blocker = self.get_blocker(situation)
        if blocker:
            raise FollowupSkip(blocker)
