"""What the walkthrough of plans, statutory interest and Send & Print found,
attacked as a user does it: JSON-RPC calls with the user's own session."""

import json
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import FollowupCommon
from .common_rpc import FollowupRpcCommon


@tagged("post_install", "-at_install")
class TestWalkFixes(FollowupRpcCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.plan = cls.company.followup_default_plan_id
        cls.manager = new_test_user(
            cls.env,
            "walk.manager",
            groups="base.group_system,account.group_account_manager",
            company_id=cls.company.id,
            company_ids=[Command.set((cls.company + cls.company_data_2["company"]).ids)],
        )
        cls.billing = new_test_user(
            cls.env,
            "walk.billing",
            groups="base.group_user,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.consumers = cls.env["account.followup.plan"].create(
            {"name": "Consumers", "company_id": cls.company.id, "filter_domain": "[]"}
        )

    def _rpc_error(self, login, model, method, *args, **kwargs):
        """The error a refused call answers, as the user's screen shows it:
        "<exception class>: <message>" (None when the call went through)."""
        self.authenticate(login, login + "x" * (8 - len(login)))
        payload = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/web/dataset/call_kw",
                data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": payload}),
                headers={"Content-Type": "application/json"},
            )
        error = response.json().get("error")
        return error and f"{error['data']['name']}: {error['data']['message']}"

    def test_a_plan_filter_that_is_no_list_is_refused_clearly(self):
        """A filter that evaluates to something else than a list of conditions
        (a number, a string, a dictionary) was answered with a bare
        AssertionError from the ORM; now the plan's own message says what is
        wrong, and the filter is unchanged."""
        for bad in ("1", "'name'", "{'name': 1}", "[1]", "__import__('os')", "[("):
            error = self._rpc_error(
                "walk.manager", "account.followup.plan", "write", self.consumers.ids, {"filter_domain": bad}
            )
            self.assertIn("ValidationError", error or "", bad)
            self.assertIn("The customers' filter of the follow-up plan “Consumers” is not valid", error, bad)
            self.assertNotIn("AssertionError", error, bad)
        self.consumers.invalidate_recordset()
        self.assertEqual(self.consumers.filter_domain, "[]")

    def test_a_plan_filter_on_the_follow_up_itself_is_refused(self):
        """A filter on the customer's follow-up status, level or next date
        (computed from the plans: the filter would decide its own plan)
        answered a RecursionError; a filter on a field that cannot be searched
        (the amount overdue) was ignored by the ORM, so the plan took every
        customer and the statements screen emptied. Both are refused."""
        for bad, field in (
            ("[('followup_status', '=', 'in_need_of_action')]", "Follow-up Status"),
            ("[('followup_level_id.delay', '>', 10)]", "Follow-up Level"),
            ("[('commercial_partner_id.followup_next_action_date', '<', '2030-01-01')]", "Next Follow-up"),
            ("[('total_overdue', '>', 100)]", "Total Overdue"),
        ):
            error = self._rpc_error(
                "walk.manager", "account.followup.plan", "write", self.consumers.ids, {"filter_domain": bad}
            )
            self.assertIn("ValidationError", error or "", bad)
            self.assertIn("The customers' filter of the follow-up plan “Consumers” is not valid", error, bad)
            self.assertIn(field, error, bad)
        self.consumers.invalidate_recordset()
        self.assertEqual(self.consumers.filter_domain, "[]")
        # a filter on what a person sets on the customer is fine
        self.assertIsNone(
            self._rpc_error(
                "walk.manager",
                "account.followup.plan",
                "write",
                self.consumers.ids,
                {"filter_domain": "[('commercial_partner_id.followup_debtor_type', '=', 'consumer')]"},
            )
        )

    def test_an_archived_plan_is_not_chosen_nor_shown_as_chosen(self):
        """A billing user could choose an archived plan on the statements
        screen: the customer followed the default plan while the screen said
        that a person had chosen its plan. Choosing an archived plan is
        refused; a chosen plan archived later no longer shows as chosen."""
        customer = self._create_customer("Archie Customer", "archie@customer.example.com")
        old_plan = self.env["account.followup.plan"].create(
            {"name": "Old segment", "filter_domain": "[('id', '=', 0)]"}
        )
        old_plan.action_archive()
        error = self._rpc_error("walk.billing", "account.followup.statement", "set_plan", customer.id, old_plan.id)
        self.assertIn("UserError", error or "")
        self.assertIn("The follow-up plan “Old segment” is archived", error)
        self.assertFalse(customer.with_company(self.company).followup_plan_id)
        # chosen while active, archived afterwards: the filters decide again, and the screen says so
        self.assertIsNone(
            self._rpc_error("walk.billing", "account.followup.statement", "set_plan", customer.id, self.consumers.id)
        )
        self.consumers.action_archive()
        self.authenticate("walk.billing", "walk.billing")
        statement = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": "account.followup.statement", "method": "get_statement", "args": [customer.id], "kwargs": {}},
        )
        self.assertEqual(statement["plan"]["name"], self.plan.name)
        self.assertFalse(statement["plan_chosen"])

    def test_a_negative_statutory_margin_is_refused(self):
        """A margin of -100 points, saved in the settings, took away all the
        statutory interest without a word."""
        margin = self.company.followup_statutory_margin
        error = self._rpc_error(
            "walk.manager",
            "res.config.settings",
            "create",
            {"followup_interest_type": "statutory", "followup_statutory_margin": -100},
        )
        self.assertIn("ValidationError", error or "")
        self.assertIn("The statutory margin cannot be negative", error)
        self.company.invalidate_recordset()
        self.assertEqual(self.company.followup_statutory_margin, margin)

    def test_a_plan_with_levels_stays_in_its_company(self):
        """Moving a plan with levels to another company left its levels in the
        first one: the other company's customers were chased by levels its
        users cannot see, the first company's lost the plan."""
        company_b = self.company_data_2["company"]
        level = self.env["account.followup.level"].create(
            {
                "name": "Friendly reminder",
                "plan_id": self.consumers.id,
                "delay": 10,
                "manual_action": True,
                "manual_action_note": "Call",
            }
        )
        error = self._rpc_error(
            "walk.manager", "account.followup.plan", "write", self.consumers.ids, {"company_id": company_b.id}
        )
        self.assertIn("ValidationError", error or "")
        self.assertIn(f"The follow-up plan “Consumers” has levels of {self.company.name}", error)
        self.consumers.invalidate_recordset()
        self.assertEqual(self.consumers.company_id, self.company)
        self.assertEqual(self.consumers.level_ids, level)
        # a plan without levels may move
        empty = self.env["account.followup.plan"].create({"name": "Empty", "company_id": self.company.id})
        self.assertIsNone(
            self._rpc_error("walk.manager", "account.followup.plan", "write", empty.ids, {"company_id": company_b.id})
        )


@tagged("post_install", "-at_install")
class TestWalkFixesTour(FollowupCommon, HttpCase):
    def test_a_search_that_finds_nobody_is_not_praised(self):
        """The statements screen said "No customer here. Well done!" when a
        search (or the plan chosen) matched nobody, while customers still
        needed action; it says that the search found nothing."""
        self._let_accountant_log_in(lang="en_US")
        customer = self._create_customer("Walk Customer", "walk@customer.example.com")
        self._invoice(customer, 100, fields.Date.today() - timedelta(days=20))
        self.start_tour(
            "/web#action=account_payment_followup.action_customer_statements",
            "account_payment_followup_walk_empty_search",
            login="anna.followup",
        )
