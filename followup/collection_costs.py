"""Extrajudicial collection costs of a Dutch consumer claim (Besluit
vergoeding voor buitengerechtelijke incassokosten, art. 2, the "BIK" scale),
in plain Python."""

from odoo.tools import float_round

# (width of the tranche of the principal, percentage of it): the last one is the rest.
BIK_TRANCHES = (
    (2500.0, 15.0),
    (2500.0, 10.0),
    (5000.0, 5.0),
    (190000.0, 1.0),
    (None, 0.5),
)
BIK_MINIMUM = 40.0
BIK_MAXIMUM = 6775.0


def bik_collection_costs(principal):
    """The most a creditor may charge a consumer for collecting ``principal``
    (the principal of the claim: the items the 14-day notice named, together)
    before going to court, VAT excluded: 15% of the first 2,500 (at least 40),
    10% of the next 2,500, 5% of the next 5,000, 1% of the next 190,000, 0.5%
    of the rest, at most 6,775. Rounded to the cent; 0 when nothing is due.

    >>> bik_collection_costs(3000.0)
    425.0
    """
    if principal <= 0:
        return 0.0
    costs = 0.0
    rest = principal
    for width, percent in BIK_TRANCHES:
        part = rest if width is None else min(rest, width)
        costs += part * percent / 100.0
        rest -= part
        if rest <= 0:
            break
    return float_round(min(max(costs, BIK_MINIMUM), BIK_MAXIMUM), precision_digits=2)
