"""The definitions every query and screen of the follow-up shares: an item's
due date, what can be chased, a customer's follow-up status. One place each;
SQL fragments are formatted into ``odoo.tools.SQL`` queries with ``SQL(...)``."""

# An item's due date: its maturity date, the due date printed on the invoice
# (Odoo sets it to the invoice date for an invoice without payment term, and a
# person may type another one); only an item without any falls back to the
# invoice date. The one definition of it, for every query of the addon.
DUE_DATE_SQL = "COALESCE(aml.date_maturity, aml.invoice_date, aml.date)"

# What can be chased: what the customer owes on an item that nobody excluded
# and that is not in open dispute.
CHASABLE_SQL = """(aml.amount_residual > 0
                    AND NOT COALESCE(aml.blocked, FALSE)
                    AND NOT COALESCE(move.followup_excluded, FALSE)
                    AND NOT COALESCE(move.followup_in_dispute, FALSE))"""

STATUS_ACTION = "in_need_of_action"
STATUS_OVERDUE = "with_overdue_invoices"
STATUS_NONE = "no_action_needed"

# What an action of a step did. "to_do" waits for a person (an activity, a
# letter to print); "queued" follows what becomes of the e-mail, SMS or posted
# letter (sent, bounced, failed); the others are final.
CHANNEL_SENT = "sent"
CHANNEL_QUEUED = "queued"
CHANNEL_DONE = "done"
CHANNEL_TO_DO = "to_do"
CHANNEL_SKIPPED = "skipped"
CHANNEL_FAILED = "failed"
CHANNEL_BOUNCED = "bounced"
CHANNEL_FINAL_STATES = (CHANNEL_SENT, CHANNEL_QUEUED, CHANNEL_DONE, CHANNEL_SKIPPED, CHANNEL_FAILED, CHANNEL_BOUNCED)
