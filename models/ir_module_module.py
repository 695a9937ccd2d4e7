from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False):
        """The default follow-up plan is created by code: when a language gets
        this module's translations, the plan gets them too."""
        result = super()._load_module_terms(modules, langs, overwrite=overwrite)
        if "account_payment_followup" in modules and "account.followup.level" in self.env:
            self.env["res.company"].sudo().search([])._translate_default_followup_levels(langs=langs)
        return result
