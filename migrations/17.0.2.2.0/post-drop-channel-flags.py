"""17.0.2.2.0: the channels are read from the channel table.

The step's stored flags ``by_email``, ``by_letter``, ``by_sms`` and
``by_manual`` (one per channel, for the analysis' filters) are replaced by a
search on the step's actions whatever the channels (``used_channel``): their
columns go. ``main_channel`` stays as it was stored.
"""

from odoo.tools import SQL, sql

FLAGS = ("by_email", "by_letter", "by_sms", "by_manual")


def migrate(cr, version):
    for column in FLAGS:
        if sql.column_exists(cr, "account_followup_step", column):
            cr.execute(SQL("ALTER TABLE account_followup_step DROP COLUMN %s", SQL.identifier(column)))
