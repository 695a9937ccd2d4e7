from odoo import api, fields, models


class AccountFollowupReferenceRate(models.Model):
    """The reference rate of the statutory interest between businesses
    (Directive 2011/7/EU, article 2(12)): in the euro area, the rate of the
    European Central Bank's main refinancing operations, from the day it takes
    effect. A half-year's statutory rate is the reference rate in force on its
    first day plus the company's margin (see
    res.company._get_followup_interest_periods). One table for every company:
    the accountants add each new rate of the ECB."""

    _name = "account.followup.reference.rate"
    _description = "Late-payment Reference Rate"
    _order = "date desc"
    _rec_name = "date"

    date = fields.Date(
        string="In Force From",
        required=True,
        help="The day the rate takes effect (the ECB's “with effect from” date).",
    )
    rate = fields.Float(
        digits=(16, 4),
        required=True,
        help="Annual rate, in percent (the ECB's main refinancing operations rate).",
    )

    _sql_constraints = [
        ("date_uniq", "unique(date)", "There is already a reference rate that takes effect on that day."),
    ]

    @api.model
    def _get_rates(self):
        """[(date, rate)] of every reference rate, oldest first: read once and
        passed down to whatever computes interest."""
        return [(record.date, record.rate) for record in self.search([], order="date")]
