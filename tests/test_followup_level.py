from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupLevel(FollowupCommon):
    def test_default_plan_for_a_new_company(self):
        company = self.env["res.company"].create({"name": "New Company"})
        levels = self.env["account.followup.level"].search([("company_id", "=", company.id)])
        self.assertEqual(levels.mapped("delay"), [-3, 1, 15, 35, 60])
        first = levels[1]
        self.assertTrue(first.auto_execute and first.send_email and first.send_letter)
        self.assertTrue(first.mail_template_id)
        self.assertTrue(levels[2].manual_action and not levels[2].auto_execute)

    @mute_logger("odoo.sql_db")
    def test_same_delay_is_refused(self):
        # A database constraint: also two users saving at the same moment.
        with self.assertRaisesRegex(IntegrityError, "delay_plan_uniq"):
            self.env["account.followup.level"].create(
                {"name": "Again", "delay": 15, "company_id": self.company.id, "send_letter": True}
            )
        message = dict((name, msg) for name, _definition, msg in self.env["account.followup.level"]._sql_constraints)[
            "delay_plan_uniq"
        ]
        self.assertIn("same number of days", message)

    def test_delay_is_bounded(self):
        """Ten years before or after the due date at most: beyond, the dates of
        every run and search left the calendar (issue 19.8)."""
        Level = self.env["account.followup.level"]
        for delay in (3651, -3651, 100000, -3000000):
            with (
                self.subTest(delay=delay),
                self.assertRaisesRegex(ValidationError, "at most 3650 days before or after"),
            ):
                Level.create({"name": "Far", "delay": delay, "company_id": self.company.id, "send_letter": True})
        with self.assertRaisesRegex(ValidationError, "“Formal notice” is due 3000000 days"):
            self.level_notice.write({"name": "Formal notice", "delay": 3000000})
        bounds = Level.create(
            [
                {"name": "Ten years before", "delay": -3650, "company_id": self.company.id, "send_letter": True},
                {"name": "Ten years after", "delay": 3650, "company_id": self.company.id, "send_letter": True},
            ]
        )
        self.assertEqual(bounds.mapped("delay"), [-3650, 3650])

    def test_manual_action_is_assigned_within_the_company(self):
        other_company = self.company_data_2["company"]
        outsider = self.accountant.copy(
            {
                "login": "outsider.level",
                "name": "Outsider",
                "company_id": other_company.id,
                "company_ids": [Command.set(other_company.ids)],
            }
        )
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            self.level_call.manual_action_responsible_id = outsider
        self.level_call.manual_action_responsible_id = self.accountant
        self.assertEqual(self.level_call.manual_action_responsible_id, self.accountant)

    def test_email_level_needs_a_template(self):
        with self.assertRaisesRegex(ValidationError, "choose its e-mail template"):
            self.env["account.followup.level"].create(
                {"name": "Mail", "delay": 90, "company_id": self.company.id, "send_email": True}
            )

    def test_level_that_does_nothing_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "does nothing"):
            self.env["account.followup.level"].create({"name": "Nothing", "delay": 90, "company_id": self.company.id})

    def test_billing_user_reads_but_cannot_edit_levels(self):
        level = self.level_first.with_user(self.accountant)
        self.assertEqual(level.name, self.level_first.name)
        with self.assertRaises(AccessError):
            level.write({"delay": 2})
        manager = self.accountant.copy({"login": "manager.followup", "name": "Manager"})
        manager.groups_id = [Command.link(self.env.ref("account.group_account_manager").id)]
        self.level_first.with_user(manager).write({"delay": 2})
        self.assertEqual(self.level_first.delay, 2)

    def test_levels_of_another_company_are_invisible(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        visible = self.env["account.followup.level"].with_user(self.accountant).search([])
        self.assertTrue(visible)
        self.assertFalse(visible.filtered(lambda level: level.company_id == other))
        self.assertEqual(set(visible.company_id.ids), {self.company.id})

    def test_enabling_shows_the_menus(self):
        """The follow-up menus show while one of the user's companies uses
        follow-ups; no accounting group is changed for it."""
        statements_menu = self.env.ref("account_payment_followup.customer_statements_menu")
        groups_before = self.accountant.groups_id

        def menu_ids():
            return {
                int(menu_id)
                for menu_id in self.env["ir.ui.menu"].with_user(self.accountant).load_menus(False)
                if menu_id != "root"
            }

        self.assertIn(statements_menu.id, menu_ids())
        self.assertIn(self.env.ref("account_payment_followup.account_followup_preview_customers_menu").id, menu_ids())
        self.env["res.company"].search([]).write({"payment_followup_enabled": False})
        self.assertNotIn(statements_menu.id, menu_ids())
        self.assertNotIn(self.env.ref("account_payment_followup.account_followup_level_customers_menu").id, menu_ids())
        self.company.payment_followup_enabled = True
        self.assertIn(statements_menu.id, menu_ids())
        self.assertEqual(self.accountant.groups_id, groups_before)
        self.assertFalse(
            self.env.ref("account.group_account_invoice").implied_ids.filtered(
                lambda group: group.get_external_id()[group.id].startswith("account_payment_followup.")
            )
        )
