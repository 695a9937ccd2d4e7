"""17.0.2.1.0: reminder e-mails that the mail server could not take are queued
again a bounded number of times, counted on the step's e-mail action
(``retry_count``, a column the ORM adds empty).

The actions recorded before start at zero: an e-mail failing since before the
upgrade gets the same number of new attempts as one failing today, then is
left failed and its action says so.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute("UPDATE account_followup_step_channel SET retry_count = 0 WHERE retry_count IS NULL")
