from odoo import fields, models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    # mail.template has no company in 17.0 Community: the follow-up templates
    # of a company (copies of the module's, made with its default plan) say
    # whose they are, and a record rule keeps them in their company.
    followup_company_id = fields.Many2one(
        "res.company",
        string="Follow-up Company",
        index="btree_not_null",
        ondelete="cascade",
        help="The company whose payment follow-ups use this template; only its users may read or change it.",
    )
