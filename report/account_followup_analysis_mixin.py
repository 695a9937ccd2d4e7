from odoo import models
from odoo.models import parse_read_group_spec
from odoo.tools import SQL

from ..followup.definitions import DUE_DATE_SQL

# An item's due date: the engine's rule (from columns of account_move_line
# "aml" only, so that the reports need not join every entry).
ITEM_DUE_DATE_SQL = SQL(DUE_DATE_SQL)


class AccountFollowupAnalysisMixin(models.AbstractModel):
    """Aggregates the follow-up analysis needs and Odoo's ``read_group`` lacks.

    A field declares one of them as its ``group_operator``; the pivot, graph
    and grouped list views ask for it like for ``sum``, and PostgreSQL computes
    it for whatever grouping and filter the user chose (no Python loop):

    * ``median``: the median of the group's values (``percentile_cont(0.5)``);
    * ``ratio``: a share in percent of two summed fields, declared in
      ``_ratio_fields`` as ``{field: (numerator, denominator)}``, so that the
      share of a group is the sum of what was paid over the sum of what was
      due, not an average of the rows' shares;
    * ``month_end``: a balance at a month end (a stock, not a flow): the sum of
      the group's balances divided by the number of month ends it spans, i.e.
      the total at one month end when grouped by month and the average month
      end balance on a coarser grouping. The month end is the ``date`` field.

    Why a ``_read_group_select`` override: Odoo 17's aggregates are a fixed
    table (``odoo.models.READ_GROUP_AGGREGATE``: sum, avg, min, max, count,
    bool_and/or, array_agg); none of them is a ratio of two sums, a median or
    a month-end average, and no field attribute nor stored field can give one
    (a report row cannot store the share of a group it does not know). A
    per-group figure computed from other columns is what this hook is for:
    core uses it for the same need in 17.0 (``purchase_stock``'s
    ``vendor.delay.report``: an on-time rate as a ratio of two sums;
    ``project.task.burndown.chart.report``, ``stock.quant``). Overriding the
    public ``read_group`` instead (``purchase.report``'s way) would compute in
    Python after the query, miss ``_read_group``'s callers, order grouped lists
    by the wrong figure and, for a median, fetch every value of every group.
    The override only answers the three aggregates above and hands every other
    one to Odoo.
    """

    _name = "account.followup.analysis.mixin"
    _description = "Follow-up Analysis Aggregates"

    _ratio_fields = {}

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec == "__count":
            return super()._read_group_select(aggregate_spec, query)
        fname, _property, func = parse_read_group_spec(aggregate_spec)
        if func == "median" and fname in self._fields:
            return (
                SQL("percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)", self._field_to_sql(self._table, fname, query)),
                [fname],
            )
        if func == "ratio" and fname in self._ratio_fields:
            numerator, denominator = self._ratio_fields[fname]
            return (
                SQL(
                    "ROUND(SUM(%s) * 100.0 / NULLIF(SUM(%s), 0), 2)",
                    self._field_to_sql(self._table, numerator, query),
                    self._field_to_sql(self._table, denominator, query),
                ),
                [fname, numerator, denominator],
            )
        if func == "month_end" and fname in self._fields:
            return (
                SQL(
                    "SUM(%s) / NULLIF(COUNT(DISTINCT %s), 0)",
                    self._field_to_sql(self._table, fname, query),
                    self._field_to_sql(self._table, "date", query),
                ),
                [fname, "date"],
            )
        return super()._read_group_select(aggregate_spec, query)
