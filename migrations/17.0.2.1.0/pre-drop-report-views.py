"""17.0.2.1.0: the analysis reports are queries, no longer SQL views.

The aged receivable and the four analysis reports read their rows from a
``_table_query`` (built from ``_select``/``_from``/``_where`` parts other
modules can extend) instead of a ``CREATE VIEW`` run by ``init()``. Odoo
neither creates nor drops anything for a model with ``_auto = False`` and a
``_table_query``: the views of the previous versions would stay in the
database, unused. They are dropped (nothing else depends on them).
"""

from odoo.tools.sql import drop_view_if_exists

REPORT_VIEWS = (
    "account_followup_aged_receivable",
    "account_followup_dso_report",
    "account_followup_effectiveness_report",
    "account_followup_overdue_report",
    "account_followup_payment_report",
)


def migrate(cr, version):
    if not version:
        return
    for view in REPORT_VIEWS:
        drop_view_if_exists(cr, view)
