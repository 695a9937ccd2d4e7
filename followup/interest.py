"""Late-payment interest, in plain Python: simple interest on what is due at
the end of each day, over periods of one annual rate.

An item's interest runs from the day after its due date (or after the last
day already charged) through the day of the charge. A period is
``(first day, last day, annual rate in percent, days in a year)``: both days
are counted, and one day is worth ``rate / 100 / days in a year`` of what is
due at its end (a payment lowers the base from its own day on)."""

import calendar
import math
from bisect import bisect_right
from datetime import date, timedelta


def half_year_start(day):
    """1 January or 1 July: the first day of ``day``'s half-year."""
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def split_by_half_year(first, last):
    """The days from ``first`` through ``last`` as [(first, last)] pieces
    that each stay inside one half-year."""
    pieces = []
    while first <= last:
        start = half_year_start(first)
        end = date(start.year, 6, 30) if start.month == 1 else date(start.year, 12, 31)
        pieces.append((first, min(end, last)))
        first = end + timedelta(days=1)
    return pieces


def split_by_year(first, last):
    """The days from ``first`` through ``last`` as [(first, last)] pieces
    that each stay inside one calendar year."""
    pieces = []
    while first <= last:
        end = date(first.year, 12, 31)
        pieces.append((first, min(end, last)))
        first = end + timedelta(days=1)
    return pieces


def days_in_year(day):
    return 366 if calendar.isleap(day.year) else 365


def rate_in_force(reference_rates, day):
    """The rate of ``reference_rates`` ([(date, rate)] sorted by date) in
    force on ``day``: the last one that took effect on or before it; None
    when none had yet."""
    index = bisect_right([rate_date for rate_date, _rate in reference_rates], day)
    return reference_rates[index - 1][1] if index else None


def round_up_to_half_point(rate):
    """Belgium's rounding of the statutory rate: up to the next half point
    (11.15 -> 11.50, 12.50 -> 12.50)."""
    # round() first: 12.5 * 2 may be 24.999999999999996 in binary
    return math.ceil(round(rate * 2, 6)) / 2


def due_days(balance, changes, first, last):
    """The sum, over the days from ``first`` through ``last``, of what is due
    at the end of each day (never below zero), for an item of ``balance``
    with these ``changes`` ([(date, amount)], sorted by date): the base of
    simple interest, in amount × days."""
    due = balance + sum(amount for change_date, amount in changes if change_date <= first)
    day = first
    total = 0.0
    for change_date, amount in changes:
        if change_date <= first:
            continue
        if change_date > last:
            break
        total += max(due, 0.0) * (change_date - day).days
        due += amount
        day = change_date
    return total + max(due, 0.0) * ((last - day).days + 1)


def simple_interest(balance, changes, periods):
    """Interest (not rounded) on an item over ``periods`` (see the module's
    docstring)."""
    return sum(
        due_days(balance, changes, first, last) * rate / 100.0 / year_days for first, last, rate, year_days in periods
    )
