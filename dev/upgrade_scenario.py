"""The scenario of the upgrade test (tests/test_upgrade.py), run by the Odoo of
the version installed in the database:

    python dev/upgrade_scenario.py -c odoo.conf -d DATABASE prepare   # customers and invoices
    python dev/upgrade_scenario.py -c odoo.conf -d DATABASE run       # today's follow-ups, then a count

``run`` prints one JSON line: what has been sent and proposed so far.
"""

import argparse
import json
import sys
from datetime import timedelta

import odoo
from odoo import fields
from odoo.tools import config


def prepare(env):
    company = env.ref("base.main_company")
    company.payment_followup_enabled = True
    today = fields.Date.context_today(env["res.partner"])
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    for name, days_late in (("Upgrade E-mail Customer", 1), ("Upgrade Call Customer", 16)):
        partner = env["res.partner"].create(
            {
                "name": name,
                "email": f"{days_late}@upgrade.example.com",
                "is_company": True,
                "street": "Main Street 1",
                "city": "Brussels",
                "country_id": env.ref("base.be").id,
            }
        )
        move = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": journal.id,
                "invoice_date": today - timedelta(days=days_late),
                # The due date the customer was given (every version reads it the same way).
                "invoice_date_due": today - timedelta(days=days_late),
                "invoice_line_ids": [
                    fields.Command.create({"name": "Service", "quantity": 1, "price_unit": 100, "tax_ids": []})
                ],
            }
        )
        move.action_post()
    # Companies of other countries: the upgrade to 17.0.2.2.0 gives each the
    # statutory margin and rounding of its country.
    for code in ("DE", "BE"):
        env["res.company"].create({"name": f"Upgrade {code} Company", "country_id": env.ref(f"base.{code.lower()}").id})


def count(env):
    partners = env["res.partner"].search([("name", "like", "Upgrade % Customer")])
    subtype = env.ref("account_payment_followup.mt_followup")
    return {
        "reminders": env["mail.message"].search_count(
            [("model", "=", "res.partner"), ("res_id", "in", partners.ids), ("subtype_id", "=", subtype.id)]
        ),
        "mails": env["mail.mail"].search_count([("recipient_ids", "in", partners.ids)]),
        "activities": env["mail.activity"].search_count(
            [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        ),
        # The responsibles' "assigned to you" e-mails (17.0.2.3: sent after the batch, once).
        "assigned": env["mail.message"].search_count(
            [
                ("model", "=", "res.partner"),
                ("res_id", "in", partners.ids),
                ("message_type", "=", "user_notification"),
                ("subject", "like", "assigned to you"),
            ]
        ),
        "notifications_pending": env["mail.activity"].search_count([("followup_notify_pending", "=", True)])
        if "followup_notify_pending" in env["mail.activity"]
        else None,
        "steps": env["account.followup.step"].search_count([]) if "account.followup.step" in env else None,
        # The steps whose effectiveness figures are computed (what their items owed on the step date).
        "figures": env["account.followup.step"].search_count([("amount_concerned", ">", 0)])
        if "account.followup.step" in env and "amount_concerned" in env["account.followup.step"]
        else None,
        # What each step's actions did (17.0.2 on): kept as they were by an upgrade.
        "actions": sorted(
            f"{action.step_id.level_id.name}: {action.channel} {action.state}"
            for action in env["account.followup.step.channel"].search([])
        )
        if "account.followup.step.channel" in env
        else None,
        "formal_notice_template": env["account.followup.level"]
        .search([("delay", "=", 60), ("company_id", "=", env.ref("base.main_company").id)])
        .mail_template_id.name
        or None,
        # 17.0.2.2.0: the company's late-payment interest regime and the reference rates.
        "statutory": {
            company.name: [
                company.followup_interest_type,
                company.followup_statutory_margin,
                company.followup_statutory_round_up,
            ]
            for company in env["res.company"].search([("name", "like", "Upgrade % Company")])
        }
        if "followup_statutory_margin" in env["res.company"]
        else None,
        "reference_rates": env["account.followup.reference.rate"].search_count([])
        if "account.followup.reference.rate" in env
        else None,
        # 17.0.2.2: the history knows each step's plan.
        "steps_without_plan": env["account.followup.step"].search_count([("plan_id", "=", False)])
        if "account.followup.step" in env and "plan_id" in env["account.followup.step"]
        else None,
        # 17.0.2.2: the levels are in their company's default plan.
        "level_plans": sorted(
            {
                (level.plan_id.name, level.plan_id == level.company_id.followup_default_plan_id)
                for level in env["account.followup.level"].with_context(active_test=False).search([])
            }
        )
        if "account.followup.plan" in env
        else None,
        "levels": sorted(
            env["account.move.line"].search([("partner_id", "in", partners.ids)]).followup_level_id.mapped("name")
        ),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("verb", choices=["prepare", "run"])
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if args.verb == "prepare":
            prepare(env)
        else:
            env["res.partner"]._cron_execute_followups()
            env.cr.commit()
            print(json.dumps(count(env)))


if __name__ == "__main__":
    main()
