from odoo import fields, models


class AccountFollowupDisputeResolve(models.TransientModel):
    """Resolve disputes with their outcome, asked in a dialog whose required
    field is marked when left empty (as CRM's "Mark as lost" asks its reason)."""

    _name = "account.followup.dispute.resolve"
    _description = "Resolve Disputes"

    dispute_ids = fields.Many2many("account.followup.dispute", string="Disputes", required=True)
    resolution = fields.Selection(
        selection=lambda self: self.env["account.followup.dispute"]._fields["resolution"].selection,
        required=True,
        help="How the dispute ended. Whatever the outcome, what is still due on the invoice is chased again.",
    )

    def action_resolve(self):
        self.ensure_one()
        disputes = self.dispute_ids.filtered(lambda dispute: dispute.state == "open")
        disputes.write({"resolution": self.resolution})
        return disputes.action_resolve()
