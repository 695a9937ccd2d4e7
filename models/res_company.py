from odoo import _, api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    payment_followup_enabled = fields.Boolean(
        string="Payment Follow-ups",
        help="Enable payment follow-up management: the daily scheduled action "
        "executes this company's automated follow-up levels.",
    )
    followup_level_ids = fields.One2many("account.followup.level", "company_id", string="Follow-up Levels")
    followup_default_responsible_id = fields.Many2one(
        "res.users",
        string="Default Follow-up Responsible",
        help="Receives the follow-up activities of customers that have neither a "
        "follow-up responsible nor a salesperson.",
    )

    followup_test_email = fields.Char(
        string="Follow-up Test Address",
        help="Test mode: when set, every automated follow-up e-mail goes to this " "address instead of the customers.",
    )
    followup_max_emails = fields.Integer(
        string="Follow-up E-mails per Run",
        default=500,
        help="Safety valve: the scheduled action stops sending and warns the "
        "default responsible when a run would send more e-mails than this.",
    )
    followup_promise_max_days = fields.Integer(
        string="Promise to Pay: Maximum Days",
        default=30,
        help="A customer may promise to pay at most this many days ahead (0: no limit). "
        "A person recording a promise is not limited.",
    )
    followup_reply_pause_days = fields.Integer(
        string="Pause after a Reply (days)",
        default=7,
        help="When a customer answers a payment reminder, its automated reminders "
        "pause for this many days and the responsible is told.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._create_default_followup_levels()
        return companies

    def write(self, vals):
        res = super().write(vals)
        if "payment_followup_enabled" in vals:
            self._update_followup_menu_group()
        return res

    def _update_followup_menu_group(self):
        """Show the follow-up menus to accounting users while at least one
        company uses follow-ups (menus are per group, not per company)."""
        group = self.env.ref("account_payment_followup.group_payment_followup_enabled").sudo()
        enabled = bool(self.sudo().search_count([("payment_followup_enabled", "=", True)]))
        for xmlid in ("account.group_account_invoice", "account.group_account_readonly"):
            accounting_group = self.env.ref(xmlid).sudo()
            if enabled and group not in accounting_group.implied_ids:
                accounting_group.write({"implied_ids": [fields.Command.link(group.id)]})
            elif not enabled and group in accounting_group.implied_ids:
                accounting_group.write({"implied_ids": [fields.Command.unlink(group.id)]})
        if not enabled:
            group.write({"users": [fields.Command.clear()]})

    def _prepare_default_followup_levels_vals(self):
        """The default plan (see the product specification), as values for one company."""
        self.ensure_one()
        ref = self.env.ref

        def template(xmlid):
            return ref(f"account_payment_followup.{xmlid}").id

        activity_type = ref("account_payment_followup.mail_activity_type_followup").id
        return [
            {
                "name": _("Reminder before the due date"),
                "delay": -3,
                "auto_execute": True,
                "send_email": True,
                "mail_template_id": template("mail_template_followup_reminder"),
                "note": _(
                    "This is a friendly reminder that the invoices below will soon be due. "
                    "If you have already paid them, please ignore this message."
                ),
            },
            {
                "name": _("First reminder"),
                "delay": 1,
                "auto_execute": True,
                "send_email": True,
                "send_letter": True,
                "mail_template_id": template("mail_template_followup_first"),
                "note": _(
                    "Our records show that the invoices below are past due. "
                    "If you have already paid them, please ignore this letter; otherwise "
                    "please pay the amount due at your earliest convenience."
                ),
            },
            {
                "name": _("Call the customer"),
                "delay": 15,
                "manual_action": True,
                "manual_action_type_id": activity_type,
                "manual_action_note": _("Call the customer about the overdue invoices."),
                "note": _("The invoices below are now 15 days past due."),
            },
            {
                "name": _("Second reminder"),
                "delay": 35,
                "send_email": True,
                "send_letter": True,
                "manual_action": True,
                "manual_action_type_id": activity_type,
                "mail_template_id": template("mail_template_followup_second"),
                "manual_action_note": _("Call the customer: second reminder sent."),
                "note": _(
                    "Despite our previous reminders, the invoices below are still unpaid. "
                    "Please pay the amount due immediately, or contact us to discuss it."
                ),
            },
            {
                "name": _("Formal notice"),
                "delay": 60,
                "manual_action": True,
                "manual_action_type_id": activity_type,
                "manual_action_note": _("Send a formal notice (bailiff) for the unpaid invoices."),
                "note": _(
                    "Unless the amount below is paid within 8 days, we will start legal "
                    "proceedings to recover it, at your expense."
                ),
            },
        ]

    def _create_default_followup_levels(self):
        Level = self.env["account.followup.level"].sudo().with_context(active_test=False)
        for company in self:
            if Level.search_count([("company_id", "=", company.id)]):
                continue
            levels = Level.create(
                [dict(vals, company_id=company.id) for vals in company._prepare_default_followup_levels_vals()]
            )
            company._translate_default_followup_levels(levels)

    def _translate_default_followup_levels(self, levels=None, langs=None):
        """Give the default plan's names and notes in every installed language
        (they are created in one). Levels a user changed are left alone."""
        langs = langs or [code for code, _name in self.env["res.lang"].get_installed()]
        Level = self.env["account.followup.level"].sudo().with_context(active_test=False)
        fields_to_translate = ("name", "note", "manual_action_note")
        for company in self:
            company_levels = levels or Level.search([("company_id", "=", company.id)])
            source = company.with_context(lang="en_US")
            english = {vals["delay"]: vals for vals in source._prepare_default_followup_levels_vals()}
            for lang in langs:
                translated = {
                    vals["delay"]: vals
                    for vals in company.with_context(lang=lang)._prepare_default_followup_levels_vals()
                }
                for level in company_levels:
                    original = english.get(level.delay)
                    if not original or level.with_context(lang="en_US").name != original["name"]:
                        continue
                    level.with_context(lang=lang).write(
                        {field: translated[level.delay][field] for field in fields_to_translate if field in original}
                    )
