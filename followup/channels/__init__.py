"""The follow-up channels: one small unit per way of reaching a customer.

Every channel answers the same three questions for a customer's situation
(see ``account.followup._get_situations``): can it run, and why not
(``get_blocker``); what would it do (``describe``, for the preview); do it
(``run``, which returns a :class:`ChannelOutcome`). The engine, the preview,
the e-mail cap, the Send dialog and the history all read the one table,
``account.followup._get_channels()``: adding a channel is adding a unit
here (a file of this folder and its line in ``CHANNELS``).
"""

from .base import ChannelOptions, ChannelOutcome, FollowupChannel, FollowupSkip
from .email import EmailChannel
from .letter import LetterChannel
from .manual import ManualChannel
from .sms import SmsChannel

# The channels, in the order a level executes them.
CHANNELS = (EmailChannel, LetterChannel, SmsChannel, ManualChannel)

__all__ = [
    "CHANNELS",
    "ChannelOptions",
    "ChannelOutcome",
    "EmailChannel",
    "FollowupChannel",
    "FollowupSkip",
    "LetterChannel",
    "ManualChannel",
    "SmsChannel",
]
