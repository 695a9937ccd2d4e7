from odoo import models

FOLLOWUP_MENUS = (
    "account_payment_followup.customer_statements_menu",
    "account_payment_followup.account_followup_aged_receivable_menu",
    "account_payment_followup.account_followup_preview_menu",
    "account_payment_followup.account_followup_level_menu",
    "account_payment_followup.account_followup_preview_customers_menu",
    "account_payment_followup.account_followup_level_customers_menu",
    "account_payment_followup.account_followup_plan_menu",
    "account_payment_followup.account_followup_plan_customers_menu",
    "account_payment_followup.account_followup_step_menu",
    "account_payment_followup.account_followup_dispute_menu",
    "account_payment_followup.account_followup_promise_menu",
    "account_payment_followup.account_followup_dispute_reason_menu",
    "account_payment_followup.account_followup_analysis_menu",
)


class IrUiMenu(models.Model):
    _inherit = "ir.ui.menu"

    def _load_menus_blacklist(self):
        """Hide the follow-up menus from users none of whose companies uses
        payment follow-ups (Odoo's own hook, as hr and project use it). Menus
        are loaded once per user, not per company: a user with one enabled
        company sees them, and the screens say when the current company has
        follow-ups disabled. Enabling or disabling clears the menu cache."""
        res = super()._load_menus_blacklist()
        if not self.env.user.company_ids.filtered("payment_followup_enabled"):
            for xmlid in FOLLOWUP_MENUS:
                menu = self.env.ref(xmlid, raise_if_not_found=False)
                if menu:
                    res.append(menu.id)
        return res
