from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


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

    @api.constrains("followup_company_id")
    def _check_followup_company_id(self):
        """A template a company's levels send stays that company's: made shared
        (no company) or given to another company, other companies' template
        editors would read and change that company's reminders."""
        # Sudo: the levels of every company count, also those the user may not read.
        levels = self.env["account.followup.level"].sudo().search([("mail_template_id", "in", self.ids)])
        for level in levels:
            if level.mail_template_id.followup_company_id != level.company_id:
                raise ValidationError(
                    _(
                        "The e-mail template “%(template)s” is sent by the follow-up level “%(level)s” of "
                        "%(company)s: it stays a template of %(company)s.",
                        template=level.mail_template_id.name,
                        level=level.name,
                        company=level.company_id.name,
                    )
                )
