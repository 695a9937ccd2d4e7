from decimal import ROUND_HALF_UP, Decimal

from odoo import api, models
from odoo.models import regex_field_agg
from odoo.tools import SQL

from ..followup.definitions import DUE_DATE_SQL

# An item's due date: the engine's rule (from columns of account_move_line
# "aml" only, so that the reports need not join every entry).
ITEM_DUE_DATE_SQL = SQL(DUE_DATE_SQL)

# The names of the custom aggregates; a spec "field:<name>" still asks for
# the figure (saved favourites, older callers).
CUSTOM_AGGREGATES = ("ratio", "median", "month_end")


def _median(values):
    """The median as PostgreSQL's ``percentile_cont(0.5)`` gives it: NULLs
    ignored, the mean of the two middle values for an even count (the same
    interpolation ``a + 0.5 * (b - a)``), False for no value."""
    values = sorted(value for value in values if value is not None)
    if not values:
        return False
    middle = (len(values) - 1) / 2
    low, high = values[int(middle)], values[-(int(middle) + 1)]
    return low + 0.5 * (high - low)


def _ratio(numerator, denominator):
    """``ROUND(SUM(numerator) * 100 / SUM(denominator), 2)`` of PostgreSQL's
    numeric type (half away from zero on the exact decimal), False when the
    denominator is 0."""
    if not denominator:
        return False
    share = Decimal(repr(numerator or 0)) * 100 / Decimal(repr(denominator))
    return float(share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class AccountFollowupAnalysisMixin(models.AbstractModel):
    """Aggregates the follow-up analysis needs and Odoo's ``read_group`` lacks.

    A field declares one of them in ``_custom_aggregates``; the pivot, graph
    and grouped list views ask for the field as for any measure, and the
    figure is computed for whatever grouping and filter the user chose:

    * ``("median",)``: the median of the group's values, as PostgreSQL's
      ``percentile_cont(0.5)`` (NULLs ignored, the mean of the two middle
      values for an even count);
    * ``("ratio", numerator, denominator)``: a share in percent of two summed
      fields, ``ROUND(sum numerator * 100 / sum denominator, 2)`` (False when
      the denominator sums to 0), so that the share of a group is the sum of
      what was paid over the sum of what was due, not an average of the rows'
      shares;
    * ``("month_end", date_field)``: a balance at a month end (a stock, not a
      flow): the sum of the group's balances divided by the number of distinct
      month ends it spans, i.e. the total at one month end when grouped by
      month and the average month end balance on a coarser grouping.

    Such a field keeps ``group_operator="avg"``, a value Odoo accepts and the
    web client needs to offer it as a measure; its figure is the custom one
    whenever the field is asked as ``"field"``, ``"field:avg"`` or
    ``"alias:avg(field)"`` (or with the aggregate's own name, ``"field:ratio"``
    ...). Any other aggregate of it (``"field:max"``) is Odoo's.

    Why an override of the public ``read_group`` (as ``purchase.report`` and
    ``hr.timesheet.attendance.report`` do in 17.0) and not of the private
    ``_read_group_select``, which would let PostgreSQL compute the figures:
    the rule of this module is no override of private ORM methods (they change
    without notice between versions). Odoo 17's aggregates are a fixed table
    (``odoo.models.READ_GROUP_AGGREGATE``), so ``read_group`` asks ``super()``
    for public aggregates of each custom field's inputs under helper aliases
    (``sum`` of the numerator and denominator; ``array_agg`` of the values for
    a median; ``sum`` and ``count_distinct`` of the month end for a
    month-end average), computes the figure of each group in Python, puts it
    under the key the caller asked for and removes the helper keys.
    The costs: ``_read_group`` (server-side callers) does not know these
    figures; a median fetches every value of every group; and an ``orderby``
    naming a custom field is taken out of the SQL order and the groups are
    sorted on it in Python (before Odoo's order for the other terms, which is
    kept among equal figures), over all the groups before ``offset`` and
    ``limit`` are applied.
    """

    _name = "account.followup.analysis.mixin"
    _description = "Follow-up Analysis Aggregates"

    # {field: ("ratio", numerator, denominator) | ("median",) | ("month_end", date_field)}
    _custom_aggregates = {}

    def _custom_aggregate_of(self, field_spec, groupby):
        """The (result key, field name) of a ``fields`` spec that asks for a
        custom aggregate, or None."""
        match = regex_field_agg.match(field_spec)
        if not match or field_spec in groupby:
            return None
        name, func, fname = match.groups()
        fname = fname or name
        if fname not in self._custom_aggregates:
            return None
        if func and func not in (self._fields[fname].group_operator, *CUSTOM_AGGREGATES):
            return None
        return name, fname

    def _custom_aggregate_helpers(self, fname):
        """The public specs ``read_group`` is asked for to compute the custom
        aggregate of ``fname``, as {helper alias: spec}."""
        kind, *args = self._custom_aggregates[fname]
        if kind == "ratio":
            numerator, denominator = args
            return {
                f"__apf_{fname}_num": f"__apf_{fname}_num:sum({numerator})",
                f"__apf_{fname}_den": f"__apf_{fname}_den:sum({denominator})",
            }
        if kind == "median":
            return {f"__apf_{fname}_values": f"__apf_{fname}_values:array_agg({fname})"}
        if kind == "month_end":
            (date_field,) = args
            return {
                f"__apf_{fname}_sum": f"__apf_{fname}_sum:sum({fname})",
                f"__apf_{fname}_dates": f"__apf_{fname}_dates:count_distinct({date_field})",
            }
        raise ValueError(f"Unknown custom aggregate {kind!r} of {self._name}.{fname}")

    def _custom_aggregate_value(self, fname, group):
        kind = self._custom_aggregates[fname][0]
        if kind == "ratio":
            return _ratio(group.get(f"__apf_{fname}_num"), group.get(f"__apf_{fname}_den"))
        if kind == "median":
            return _median(group.get(f"__apf_{fname}_values") or [])
        total, dates = group.get(f"__apf_{fname}_sum"), group.get(f"__apf_{fname}_dates")
        if not dates:
            return False
        # No integer division: the reports' columns are numeric sums (1.5 items on average).
        return (total or 0) / dates

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        groupby_list = [groupby] if isinstance(groupby, str) else list(groupby)
        lazy_groupby = groupby_list[:1] if lazy else groupby_list
        custom = {}  # result key: field name
        helpers = {}  # helper alias: public spec
        public_fields = []
        for field_spec in fields:
            asked = self._custom_aggregate_of(field_spec, lazy_groupby)
            if not asked:
                public_fields.append(field_spec)
                continue
            key, fname = asked
            custom[key] = fname
            helpers.update(self._custom_aggregate_helpers(fname))
        if not custom:
            return super().read_group(domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)

        # The terms of orderby on a custom figure: sorted in Python below.
        custom_order, public_order = [], []
        for term in (orderby or "").split(","):
            term = term.strip()
            if not term:
                continue
            key, *direction = term.split()
            if key in custom:
                custom_order.append((key, bool(direction) and direction[0].lower() == "desc"))
            else:
                public_order.append(term)
        groups = super().read_group(
            domain,
            public_fields + list(helpers.values()),
            groupby,
            offset=0 if custom_order else offset,
            limit=None if custom_order else limit,
            orderby=",".join(public_order) or False,
            lazy=lazy,
        )
        for group in groups:
            for key, fname in custom.items():
                group[key] = self._custom_aggregate_value(fname, group)
            for alias in helpers:
                group.pop(alias, None)
        if custom_order:
            # As PostgreSQL orders: NULLs (False) last ascending, first descending.
            for key, descending in reversed(custom_order):
                groups.sort(key=lambda group, key=key: (group[key] is False, group[key] or 0), reverse=descending)
            groups = groups[offset : offset + limit if limit else None]
        return groups
