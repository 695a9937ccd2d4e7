from odoo.tests import tagged

from . import test_analysis


@tagged("post_install", "-at_install")
class TestFollowupAnalysisReadGroup(test_analysis.TestFollowupAnalysis):
    """The custom figures (share, median, month-end average) through the public
    ``read_group`` as the pivot, graph and grouped lists ask for them: several
    groupbys, lazy or not, ordered by a figure, under an alias; on the history
    of ``TestFollowupAnalysis`` (whose own tests are not run again here):

    ====  ======  ======  ======  =======  ======  ====
    step  level   action  amount  7 days   30 d.   days
    ====  ======  ======  ======  =======  ======  ====
    S1    1st     e-mail     100      100     100     4
    S2    1st     letter     300        0     100     -
    S3    call    manual     900        0       0     -
    S4    call    manual    1000        0    1000    24
    S5    call    SMS        600      600     600     2
    ====  ======  ======  ======  =======  ======  ====
    """

    def _effectiveness(self, fields, groupby, **kwargs):
        Report = self.env["account.followup.effectiveness.report"].with_user(self.accountant)
        groups = Report.read_group([("company_id", "=", self.company.id)], fields, groupby, **kwargs)
        for group in groups:
            self.assertFalse([key for key in group if key.startswith("__apf_")], "no helper key is left")
        return groups

    def test_pivot_by_level_and_action(self):
        fields = ["amount", "share_7", "share_14", "share_30", "days_to_payment"]
        groups = self._effectiveness(fields, ["level_id", "channel"], lazy=False)
        self.assertEqual(
            {(group["level_id"][0], group["channel"]): tuple(group[fname] for fname in fields) for group in groups},
            {
                (self.level_first.id, "email"): (100, 100, 100, 100, 4),  # S1
                (self.level_first.id, "letter"): (300, 0, 33.33, 33.33, False),  # S2: 100 / 300, never all paid
                (self.level_call.id, "manual"): (1900, 0, 0, 52.63, 24),  # S3 + S4: 1,000 / 1,900; S4 only
                (self.level_call.id, "sms"): (600, 100, 100, 100, 2),  # S5
            },
        )

    def test_lazy_groups_by_level_then_action(self):
        groups = self._effectiveness(["share_7", "share_14", "share_30", "days_to_payment"], ["level_id", "channel"])
        by_level = {group["level_id"][0]: group for group in groups}
        first, call = by_level[self.level_first.id], by_level[self.level_call.id]
        self.assertEqual(first["__context"], {"group_by": ["channel"]})
        self.assertEqual(first["level_id_count"], 2)
        # 1st level: 100 of 400 within 7 days, 200 within 14 and 30; only S1 entirely paid (4 days)
        self.assertEqual(
            (first["share_7"], first["share_14"], first["share_30"], first["days_to_payment"]), (25, 50, 50, 4)
        )
        # call level: 600 of 2,500 within 7 and 14 days, 1,600 within 30; median of 24 and 2 days (even count)
        self.assertEqual(
            (call["share_7"], call["share_14"], call["share_30"], call["days_to_payment"]), (24, 24, 64, 13)
        )

    def test_whole_company_and_odd_median(self):
        (group,) = self._effectiveness(["amount", "share_7", "share_30", "days_to_payment"], [], lazy=False)
        # 700 / 2,900 = 24.137..., 1,800 / 2,900 = 62.068...; median of 4, 24 and 2 days
        self.assertEqual(
            (group["amount"], group["share_7"], group["share_30"], group["days_to_payment"]), (2900, 24.14, 62.07, 4)
        )

    def test_order_by_a_share_and_aliases(self):
        desc = self._effectiveness(["share_30"], ["level_id"], orderby="share_30 desc")
        self.assertEqual(
            [(group["level_id"][0], group["share_30"]) for group in desc],
            [(self.level_call.id, 64), (self.level_first.id, 50)],
        )
        asc = self._effectiveness(["share_30"], ["level_id"], orderby="share_30")
        self.assertEqual([group["level_id"][0] for group in asc], [self.level_first.id, self.level_call.id])
        first_page = self._effectiveness(["share_30"], ["level_id"], orderby="share_30 desc", limit=1)
        self.assertEqual([group["level_id"][0] for group in first_page], [self.level_call.id])
        # "alias:agg(field)" and "field:agg" with the field's group_operator give the figure; other aggregates are Odoo's
        groups = self._effectiveness(
            ["paid_share:avg(share_30)", "share_7:avg", "days:avg(days_to_payment)", "share_14:max"], ["level_id"]
        )
        by_level = {group["level_id"][0]: group for group in groups}
        first, call = by_level[self.level_first.id], by_level[self.level_call.id]
        self.assertEqual((first["paid_share"], first["share_7"], first["days"], first["share_14"]), (50, 25, 4, 100))
        self.assertEqual((call["paid_share"], call["share_7"], call["days"], call["share_14"]), (64, 24, 13, 100))

    def test_month_end_averages_grouped(self):
        Overdue = self.env["account.followup.overdue.report"].with_user(self.accountant)
        domain = [("company_id", "=", self.company.id), ("date", "<=", "2025-04-30")]
        expected = {
            # Feb 1,700 (3 items) and Mar 1,400 (1); Mar 700 (2) and Apr 1,400 (1); Apr 700 (2)
            "1_30": (1550, 2),
            "31_60": (1050, 1.5),
            "61_90": (700, 2),
        }
        for lazy in (True, False):
            groups = Overdue.read_group(domain, ["amount", "item_count"], ["age"], lazy=lazy)
            self.assertEqual({group["age"]: (group["amount"], group["item_count"]) for group in groups}, expected)
        lazy_groups = Overdue.read_group(domain, ["amount"], ["age", "date:month"])
        self.assertEqual(
            {group["age"]: group["amount"] for group in lazy_groups}, {"1_30": 1550, "31_60": 1050, "61_90": 700}
        )
        Dso = self.env["account.followup.dso.report"].with_user(self.accountant)
        (quarter,) = Dso.read_group(
            [("company_id", "=", self.company.id), ("date", ">=", "2025-01-01"), ("date", "<=", "2025-03-31")],
            ["receivable"],
            ["date:quarter", "company_id"],
        )
        self.assertEqual(quarter["receivable"], 2700)  # (2,900 + 3,100 + 2,100) / 3 month ends

    def test_one_row_read_as_it_is(self):
        Report = self.env["account.followup.effectiveness.report"].with_user(self.accountant)
        (row,) = Report.search_read([("step_id", "=", self.s2.id)], ["share_14", "share_30", "days_to_payment"])
        self.assertEqual((row["share_14"], row["share_30"], row["days_to_payment"]), (33.33, 33.33, False))
        (read,) = Report.browse(row["id"]).read(["share_7", "days_to_payment"])
        self.assertEqual((read["share_7"], read["days_to_payment"]), (0, False))
        (row,) = Report.search_read([("step_id", "=", self.s4.id)], ["share_30", "days_to_payment"])
        self.assertEqual((row["share_30"], row["days_to_payment"]), (100, 24))


# The history's own tests run in TestFollowupAnalysis only.
for _name, _value in vars(test_analysis.TestFollowupAnalysis).items():
    if _name.startswith("test_") and callable(_value):
        setattr(TestFollowupAnalysisReadGroup, _name, None)
