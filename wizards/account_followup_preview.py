from markupsafe import Markup

from odoo import _, api, fields, models


class AccountFollowupPreview(models.TransientModel):
    """What the scheduled action would do today, without sending anything:
    customers, levels, actions and recipients."""

    _name = "account.followup.preview"
    _description = "Preview today's follow-ups"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date = fields.Date(default=fields.Date.context_today, readonly=True)
    preview_html = fields.Html(string="Preview", compute="_compute_preview_html", sanitize=False)
    email_count = fields.Integer(string="E-mails", compute="_compute_preview_html")

    @api.depends("company_id", "date")
    def _compute_preview_html(self):
        for wizard in self:
            followup = self.env["account.followup"].with_company(wizard.company_id)
            preview = followup._get_followup_preview(wizard.company_id, wizard.date)
            wizard.email_count = followup._count_automatic_emails([(row["partner"], row["level"]) for row in preview])
            if not preview:
                wizard.preview_html = Markup("<p>%s</p>") % _("Nothing to do today.")
                continue
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
                % (
                    row["partner"].display_name,
                    row["level"].plan_id.name,
                    row["level"].name,
                    _("automatic") if row["level"].auto_execute else _("for a person"),
                    Markup("<br/>").join(row["actions"]),
                )
                for row in preview
            )
            wizard.preview_html = Markup(
                '<table class="table table-sm o_account_payment_followup_preview">'
                "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
                "<tbody>%s</tbody></table>"
            ) % (_("Customer"), _("Plan"), _("Level"), _("Mode"), _("Actions"), rows)
