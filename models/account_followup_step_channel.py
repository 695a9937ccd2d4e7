from odoo import api, fields, models

# What an action of a step did. "to_do" waits for a person (an activity, a
# letter to print); the others are final.
CHANNEL_SENT = "sent"
CHANNEL_QUEUED = "queued"
CHANNEL_DONE = "done"
CHANNEL_TO_DO = "to_do"
CHANNEL_SKIPPED = "skipped"
CHANNEL_FAILED = "failed"
CHANNEL_FINAL_STATES = (CHANNEL_SENT, CHANNEL_QUEUED, CHANNEL_DONE, CHANNEL_SKIPPED, CHANNEL_FAILED)


class AccountFollowupStepChannel(models.Model):
    """The outcome of one action (e-mail, letter, SMS, manual action) of a
    follow-up step, with what it produced."""

    _name = "account.followup.step.channel"
    _description = "Follow-up Step Action"
    _order = "step_id, sequence, id"
    _check_company_auto = True

    step_id = fields.Many2one(
        "account.followup.step", required=True, index=True, ondelete="cascade", readonly=True, check_company=True
    )
    sequence = fields.Integer(readonly=True)
    channel = fields.Selection(
        [("email", "E-mail"), ("letter", "Letter"), ("sms", "SMS"), ("manual", "Manual action")],
        string="Action",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            (CHANNEL_SENT, "Sent"),
            (CHANNEL_QUEUED, "Queued"),
            (CHANNEL_DONE, "Done"),
            (CHANNEL_TO_DO, "To do"),
            (CHANNEL_SKIPPED, "Skipped"),
            (CHANNEL_FAILED, "Failed"),
        ],
        string="Outcome",
        required=True,
        readonly=True,
    )
    note = fields.Char(string="What Was Done", readonly=True)
    reason = fields.Char(readonly=True, help="Why the action was skipped or failed.")
    user_id = fields.Many2one("res.users", string="Done By", readonly=True)
    done_date = fields.Date(readonly=True)
    # indexed: a reply received by the gateway looks its reminder up here
    message_id = fields.Many2one("mail.message", readonly=True, ondelete="set null", index="btree_not_null")
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(string="Document", model_field="res_model", readonly=True)
    # Copies of the step's keys, written with the row, for the pivot and graph
    # views and the record rule (a stored related field costs an UPDATE per row).
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, readonly=True, check_company=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    level_id = fields.Many2one("account.followup.level", readonly=True, check_company=True)
    date = fields.Date(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        # The step's keys, when the caller did not copy them: the row is in its
        # step's company (check_company, record rules).
        for vals in vals_list:
            if vals.get("step_id") and not vals.get("company_id"):
                step = self.env["account.followup.step"].browse(vals["step_id"])
                keys = {
                    "company_id": step.company_id.id,
                    "partner_id": step.partner_id.id,
                    "level_id": step.level_id.id,
                    "date": step.date,
                }
                vals.update({key: value for key, value in keys.items() if key not in vals})
        return super().create(vals_list)

    def _get_channel_label(self):
        self.ensure_one()
        return dict(self._fields["channel"]._description_selection(self.env))[self.channel]

    def _get_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]
