"""Follow-up plans per customer segment (issue 23): a default plan per
company, the customer's plan (a person's choice, else the first matching
filter), businesses and consumers, no burst when a customer changes plan,
companies apart, rights, and the cost of a follow-up with many plans."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import FollowupCommon
from .common_rpc import FollowupRpcCommon


class PlansCommon(FollowupCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.default_plan = cls.company.followup_default_plan_id
        cls.consumers = cls.env["account.followup.plan"].create(
            {
                "name": "Consumers",
                "company_id": cls.company.id,
                "sequence": 10,
                "filter_domain": "[('followup_debtor_type', '=', 'consumer')]",
            }
        )
        template = cls.level_first.mail_template_id
        cls.gentle, cls.gentle_letter = cls.env["account.followup.level"].create(
            [
                {
                    "name": "Friendly reminder",
                    "plan_id": cls.consumers.id,
                    "delay": 10,
                    "auto_execute": True,
                    "send_email": True,
                    "mail_template_id": template.id,
                },
                {
                    "name": "Friendly letter",
                    "plan_id": cls.consumers.id,
                    "delay": 30,
                    "auto_execute": True,
                    "send_letter": True,
                },
            ]
        )
        cls.person = cls._create_customer("Paula Person", "paula@person.example.com", is_company=False)

    def _summary(self, partner, day):
        summaries = self.env["account.followup"]._get_partner_summaries(self.company, partner.ids, self.d(day))
        return summaries.get(partner.id)

    def _run(self, day):
        with freeze_time(day):
            self.env["account.followup"]._execute_followups(self.company, today=self.d(day))


@tagged("post_install", "-at_install")
class TestFollowupPlans(PlansCommon):
    def test_every_company_has_a_default_plan_with_its_levels(self):
        self.assertTrue(self.default_plan.is_default)
        self.assertEqual(self.default_plan.level_ids.mapped("delay"), [-3, 1, 15, 35, 60])
        self.assertEqual(self.levels.plan_id, self.default_plan)
        company = self.env["res.company"].create({"name": "New Company"})
        plan = company.followup_default_plan_id
        self.assertEqual(plan.company_id, company)
        self.assertEqual(plan.level_ids.mapped("delay"), [-3, 1, 15, 35, 60], "a new company gets the default plan")
        # A level created as before plans existed goes to its company's default plan.
        level = self.env["account.followup.level"].create(
            {"name": "Late", "delay": 90, "company_id": company.id, "send_letter": True}
        )
        self.assertEqual(level.plan_id, plan)
        # The delay is unique per plan, not per company: the consumers' plan has its own 10 and 30.
        self.env["account.followup.level"].create(
            {"name": "Consumers 60", "delay": 60, "plan_id": self.consumers.id, "send_letter": True}
        )
        with self.assertRaises(UserError):
            self.default_plan.unlink()
        with self.assertRaises(ValidationError):
            self.default_plan.active = False
        with self.assertRaises(UserError):
            self.default_plan.company_id = company

    def test_a_filter_that_is_no_domain_is_refused_clearly(self):
        with self.assertRaisesRegex(ValidationError, "filter of the follow-up plan “Broken” is not valid"):
            self.env["account.followup.plan"].create({"name": "Broken", "filter_domain": "[('no_such_field', '=', 1)]"})
        with self.assertRaisesRegex(ValidationError, "is not valid"):
            self.consumers.filter_domain = "[('name', '=',"

    def test_debtor_type_from_the_commercial_entity_and_editable(self):
        business = self._create_customer("Business Ltd")
        contact = self.env["res.partner"].create({"name": "Bob at Business", "parent_id": business.id})
        self.assertEqual(business.followup_debtor_type, "business")
        self.assertEqual(contact.followup_debtor_type, "business", "a company's contact is a business")
        self.assertEqual(self.person.followup_debtor_type, "consumer")
        self.person.vat = "BE0477472701"
        self.assertEqual(self.person.followup_debtor_type, "business", "a VAT number makes a business")
        # A person corrects it: a sole trader chased as a consumer.
        self.person.followup_debtor_type = "consumer"
        self.person.invalidate_recordset()
        self.assertEqual(self.person.followup_debtor_type, "consumer")

    def test_chosen_plan_else_first_matching_plan_else_default(self):
        business = self._create_customer("Business Ltd")
        for partner in (business, self.person):
            self._invoice(partner, 100, "2026-01-01")
        self.assertEqual(self._summary(self.person, "2026-01-05")["plan"], self.consumers)
        self.assertEqual(self._summary(business, "2026-01-05")["plan"], self.default_plan)
        # Two plans match: the first by sequence.
        first = self.env["account.followup.plan"].create(
            {"name": "Everyone in Belgium", "sequence": 5, "filter_domain": "[('country_id.code', '=', 'BE')]"}
        )
        self.assertEqual(self._summary(self.person, "2026-01-05")["plan"], first)
        first.active = False
        self.assertEqual(self._summary(self.person, "2026-01-05")["plan"], self.consumers, "archived: not applied")
        # A person's choice wins over the filters.
        self.person.followup_plan_id = self.default_plan
        self.assertEqual(self._summary(self.person, "2026-01-05")["plan"], self.default_plan)
        self.assertEqual(self.person.with_company(self.company).followup_plan_id, self.default_plan)

    def test_each_customer_is_chased_by_its_plans_levels(self):
        business = self._create_customer("Business Ltd", "business@example.com")
        for partner in (business, self.person):
            self._invoice(partner, 100, "2026-01-01")
        self._run("2026-01-02")
        self.assertEqual(len(self._followup_mails(business)), 1, "business: the default plan's 1-day reminder")
        self.assertFalse(self._followup_mails(self.person), "consumer: nothing before its plan's 10 days")
        with freeze_time("2026-01-05"):
            self.person.invalidate_recordset()
            self.assertEqual(self.person.followup_status, "with_overdue_invoices")
            self.assertEqual(self.person.followup_next_action_date, self.d("2026-01-11"))
            # The searches read the customer's plan too.
            Partner = self.env["res.partner"]
            self.assertIn(self.person, Partner.search([("followup_next_action_date", "=", "2026-01-11")]))
            self.assertNotIn(self.person, Partner.search([("followup_status", "=", "in_need_of_action")]))
            self.assertIn(self.person, Partner.search([("followup_status", "=", "with_overdue_invoices")]))
        self._run("2026-01-11")
        self.assertEqual(len(self._followup_mails(self.person)), 1)
        step = self.env["account.followup.step"].search([("partner_id", "=", self.person.id)])
        self.assertEqual(step.level_id, self.gentle)
        self.assertEqual(step.plan_id, self.consumers)
        items = self.person.invoice_ids.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertEqual(items.followup_level_id, self.gentle)
        with freeze_time("2026-01-12"):
            self.assertEqual(self.env["res.partner"].search([("followup_level_id", "=", self.gentle.id)]), self.person)
        # The history and the analysis group by plan.
        groups = self.env["account.followup.effectiveness.report"].read_group(
            [("company_id", "=", self.company.id)], ["amount"], ["plan_id", "level_id"], lazy=False
        )
        self.assertEqual(
            sorted((group["plan_id"][1], group["level_id"][1]) for group in groups),
            [("Consumers", "Friendly reminder"), ("Default plan", "First reminder")],
        )

    def test_moving_to_a_faster_plan_sends_no_burst(self):
        """The rule: levels are compared by their delay whatever their plan. In
        its new plan the customer is due for the highest level its oldest item
        has reached, if beyond the delay of what the item last received in any
        plan: one reminder on the day of the change at most, never the new
        plan's earlier levels."""
        self._invoice(self.person, 100, "2026-01-01")
        self._run("2026-01-11")  # the consumers' 10-day reminder
        self.assertEqual(len(self._followup_mails(self.person)), 1)
        # 20 days late, a person moves the customer to the default plan
        # (-3, 1 by e-mail, 15 a call, 35, 60).
        self.person.followup_plan_id = self.default_plan
        summary = self._summary(self.person, "2026-01-21")
        self.assertEqual(summary["level"], self.level_call, "only the highest level reached, not -3 and 1 again")
        self._run("2026-01-21")
        self.assertEqual(len(self._followup_mails(self.person)), 1, "no e-mail of the earlier levels")
        steps = self.env["account.followup.step"].search([("partner_id", "=", self.person.id)], order="id")
        self.assertEqual(steps.level_id, self.gentle | self.level_call, "one call proposed, nothing else")
        self._run("2026-01-22")
        self.assertEqual(len(self.env["account.followup.step"].search([("partner_id", "=", self.person.id)])), 2)

    def test_moving_to_a_slower_plan_repeats_nothing(self):
        self._invoice(self.person, 100, "2026-01-01")
        self.person.followup_plan_id = self.default_plan
        self._run("2026-01-02")  # the default plan's 1-day reminder
        with freeze_time("2026-01-16"):
            self.person.action_followup_done()  # called: the 15-day level done
        items = self.person.invoice_ids.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertEqual(items.followup_level_id, self.level_call)
        # Back to the consumers' plan (10 and 30 days): its 10 days are behind the call.
        self.person.followup_plan_id = False
        self.assertEqual(self._summary(self.person, "2026-01-20")["plan"], self.consumers)
        self.assertFalse(self._summary(self.person, "2026-01-20")["level"], "10 days < 15 days received")
        self.assertEqual(self._summary(self.person, "2026-01-20")["next_date"], self.d("2026-01-31"))
        self.assertEqual(self._summary(self.person, "2026-01-31")["level"], self.gentle_letter)

    def test_a_plan_of_company_a_never_applies_in_company_b(self):
        company_b = self.company_data_2["company"]
        company_b.payment_followup_enabled = True
        shared = self.env["res.partner"].create({"name": "Shared Person", "email": "shared@example.com"})
        self._invoice(shared, 100, "2026-01-01", company=company_b)
        with self.assertRaises(ValidationError):
            shared.with_company(company_b).followup_plan_id = self.consumers
        # Chosen in company A: company B does not see it (its own default plan).
        shared.with_company(self.company).followup_plan_id = self.consumers
        followup = self.env["account.followup"]
        summary = followup._get_partner_summaries(company_b, shared.ids, self.d("2026-01-05"))[shared.id]
        self.assertEqual(summary["plan"], company_b.followup_default_plan_id)
        self.assertEqual(summary["level"].plan_id, company_b.followup_default_plan_id)
        # Company B's plans filter its own customers only with its own plans.
        plan_b = self.env["account.followup.plan"].create(
            {"name": "B consumers", "company_id": company_b.id, "sequence": 1, "filter_domain": "[]"}
        )
        self.assertEqual(
            followup._get_partner_summaries(company_b, shared.ids, self.d("2026-01-05"))[shared.id]["plan"], plan_b
        )
        self._invoice(shared, 100, "2026-01-01")
        self.assertEqual(self._summary(shared, "2026-01-05")["plan"], self.consumers)
        with self.assertRaises(UserError):
            self.env["account.followup.level"].create(
                {
                    "name": "Crossed",
                    "delay": 5,
                    "plan_id": plan_b.id,
                    "company_id": self.company.id,
                    "send_letter": True,
                }
            )

    def test_statements_screen_shows_filters_and_changes_the_plan(self):
        business = self._create_customer("Business Ltd", "business@example.com")
        for partner in (business, self.person):
            self._invoice(partner, 100, "2026-01-01")
        Statement = self.env["account.followup.statement"].with_user(self.accountant)
        with freeze_time("2026-01-20"):
            rows = {row["name"]: row for row in Statement.get_customers("all")["customers"]}
            self.assertEqual(rows["Paula Person"]["plan"], "Consumers")
            self.assertEqual(rows["Business Ltd"]["plan"], "Default plan")
            only = Statement.get_customers("all", plan_id=self.consumers.id)["customers"]
            self.assertEqual([row["name"] for row in only], ["Paula Person"])
            found = Statement.get_customers("all", search="consum")["customers"]
            self.assertEqual([row["name"] for row in found], ["Paula Person"])
            statement = Statement.get_statement(self.person.id)
            self.assertEqual(statement["plan"]["name"], "Consumers")
            self.assertFalse(statement["plan_chosen"])
            self.assertEqual({plan["name"] for plan in statement["plans"]}, {"Consumers", "Default plan"})
            # The billing user moves the customer to the default plan: logged on the customer.
            Statement.set_plan(self.person.id, self.default_plan.id)
            statement = Statement.get_statement(self.person.id)
            self.assertEqual(statement["plan"]["name"], "Default plan")
            self.assertTrue(statement["plan_chosen"])
            self.assertIn("Follow-up plan: by the plans", self._followup_notes(self.person))
            self.assertIn("→ Default plan", self._followup_notes(self.person))
            company_b = self.company_data_2["company"]
            plan_b = company_b.followup_default_plan_id
            with self.assertRaises(UserError):
                Statement.set_plan(self.person.id, plan_b.id)
        # The aged receivable groups by plan.
        groups = self.env["account.followup.aged.receivable"].read_group(
            [("company_id", "=", self.company.id)], ["total"], ["followup_plan_id"]
        )
        self.assertEqual(
            sorted((group["followup_plan_id"][1], group["total"]) for group in groups),
            [("Default plan", 200.0)],
        )

    def _followup_notes(self, partner):
        return " ".join(
            self.env["mail.message"]
            .search([("model", "=", "res.partner"), ("res_id", "=", partner.id)])
            .mapped(lambda message: message.body or "")
        )

    def test_preview_and_send_use_the_customers_plan(self):
        self._invoice(self.person, 100, "2026-01-01")
        with freeze_time("2026-01-12"):
            wizard = (
                self.env["res.partner.followup.send"]
                .with_user(self.accountant)
                .with_context(default_partner_ids=self.person.ids)
                .create({})
            )
            self.assertEqual(wizard.level_id, self.gentle)
            self.assertEqual(wizard.mail_template_id, self.gentle.mail_template_id)
            preview = str(self.env["account.followup.preview"].with_user(self.accountant).create({}).preview_html)
            self.assertIn("<td>Paula Person</td><td>Consumers</td><td>Friendly reminder</td>", preview)


@tagged("post_install", "-at_install")
class TestFollowupPlansCost(PlansCommon):
    def _execute(self, partner, day):
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with self.env.cr.savepoint(flush=True):
            done = self.env["account.followup"]._execute_partner(partner, self.company, self.d(day))
        self.assertTrue(done, f"{partner.name} was due for a level")
        return self.cr.sql_log_count - before

    @freeze_time("2026-01-12")
    def test_queries_of_one_customer_are_the_same_with_one_plan_or_five(self):
        self.consumers.active = False  # one plan: the default
        customers = [self._create_customer(f"Customer {index}", f"customer{index}@example.com") for index in range(3)]
        for partner in customers:
            self._invoice(partner, 100, "2026-01-11")  # due for the 1-day reminder
        self._execute(customers[0], "2026-01-12")  # warm-up: templates, views
        one_plan = self._execute(customers[1], "2026-01-12")
        self.consumers.active = True
        self.env["account.followup.plan"].create(
            [
                {"name": f"Segment {index}", "sequence": index, "filter_domain": f"[('ref', '=', 'segment {index}')]"}
                for index in range(3)
            ]
        )
        self.assertEqual(len(self.env["account.followup.plan"].search([("company_id", "=", self.company.id)])), 5)
        with self.assertQueryCount(one_plan):
            five_plans = self._execute(customers[2], "2026-01-12")
        self.assertEqual(five_plans, one_plan)


@tagged("post_install", "-at_install")
class TestFollowupPlansRights(FollowupRpcCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.plan = cls.company.followup_default_plan_id
        cls.billing = new_test_user(
            cls.env, "plan.billing", groups="base.group_user,account.group_account_invoice", company_id=cls.company.id
        )
        cls.manager = new_test_user(
            cls.env, "plan.manager", groups="base.group_user,account.group_account_manager", company_id=cls.company.id
        )
        company_b = cls.company_data_2["company"]
        cls.clerk_b = new_test_user(
            cls.env,
            "plan.clerk.b",
            groups="base.group_user,account.group_account_invoice",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )

    def test_billing_users_read_plans_accountants_edit_them(self):
        Plan = "account.followup.plan"
        rows = self._rpc("plan.billing", Plan, "search_read", [], ["name", "level_ids"])
        self.assertEqual([row["name"] for row in rows], ["Default plan"])
        self.assertEqual(len(rows[0]["level_ids"]), 5)
        self.assertIn("AccessError", self._rpc_error("plan.billing", Plan, "write", self.plan.ids, {"name": "Mine"}))
        self.assertIn("AccessError", self._rpc_error("plan.billing", Plan, "create", {"name": "Mine"}))
        self.assertIn(
            "AccessError",
            self._rpc_error(
                "plan.billing", "account.followup.level", "write", self.plan.level_ids[:1].ids, {"delay": 2}
            ),
        )
        self.assertIsNone(self._rpc_error("plan.manager", Plan, "write", self.plan.ids, {"name": "Businesses"}))
        self.assertEqual(self.plan.name, "Businesses")
        self.assertIsNone(self._rpc_error("plan.manager", Plan, "create", {"name": "Consumers", "filter_domain": "[]"}))

    def test_a_clerk_of_another_company_sees_none_of_its_plans(self):
        Plan = "account.followup.plan"
        names = [row["name"] for row in self._rpc("plan.clerk.b", Plan, "search_read", [], ["name"])]
        self.assertEqual(len(names), 1, "only its own company's default plan")
        self.assertIn("AccessError", self._rpc_error("plan.clerk.b", Plan, "read", self.plan.ids, ["name"]))
        self.assertIn(
            "AccessError",
            self._rpc_error("plan.clerk.b", "account.followup.level", "read", self.plan.level_ids[:1].ids, ["name"]),
        )


@tagged("post_install", "-at_install")
class TestFollowupPlansTour(PlansCommon, HttpCase):
    def test_statements_screen_shows_filters_and_changes_plans(self):
        self._let_accountant_log_in(lang="en_US")
        today = fields.Date.today()
        consumer = self._create_customer("Tour Consumer", "consumer@tour.example.com", is_company=False)
        business = self._create_customer("Tour Business", "business@tour.example.com")
        for partner in (consumer, business):
            self._invoice(partner, 100, today - timedelta(days=20))
        self.start_tour(
            "/web#action=account_payment_followup.action_customer_statements",
            "account_payment_followup_plans",
            login="anna.followup",
        )
        self.assertEqual(consumer.with_company(self.company).followup_plan_id, self.default_plan)
        self.assertTrue(consumer.message_ids.filtered(lambda m: "Default plan" in str(m.body)))
