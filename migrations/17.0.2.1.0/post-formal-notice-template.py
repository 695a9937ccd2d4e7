"""17.0.2.1.0: each level its own template, each company its own templates.

* The default plan's "Formal notice" level had no template, and Send & Print
  proposed the second reminder's (subject "Second payment reminder" above the
  legal text). Each company's formal notice level still without template gets
  its own copy of the module's formal notice template, as new companies do.
* The levels used the module's templates, shared by all companies: a Mail
  Template Editor of one company changed another's reminders. Each company's
  levels get the company's own copies of them (with their text as it is
  today, changes included, and their translations), kept in the company by a
  record rule.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

MODULE_TEMPLATES = (
    "mail_template_followup_reminder",
    "mail_template_followup_first",
    "mail_template_followup_second",
)


def _give_formal_notice_template(env):
    original = env.ref("account_payment_followup.mail_template_followup_formal_notice", raise_if_not_found=False)
    if not original:
        return
    levels = (
        env["account.followup.level"]
        .with_context(active_test=False, lang="en_US")
        .search([("mail_template_id", "=", False), ("manual_action", "=", True), ("send_email", "=", False)])
    )
    # The default plan's level, by its name as res.company's default plan
    # creates it: a level a person renamed keeps its choice.
    levels = levels.filtered(lambda level: level.name == "Formal notice")
    for company in levels.company_id:
        template = company._copy_followup_mail_template(original)
        levels.filtered(lambda level, company=company: level.company_id == company).mail_template_id = template
    _logger.info("Formal notice template given to the formal notice level of %s company(ies)", len(levels.company_id))


def _give_companies_their_templates(env):
    originals = env["mail.template"]
    for xmlid in MODULE_TEMPLATES:
        originals |= env.ref(f"account_payment_followup.{xmlid}", raise_if_not_found=False) or originals
    levels = (
        env["account.followup.level"]
        .with_context(active_test=False)
        .search([("mail_template_id", "in", originals.ids)])
    )
    for company in levels.company_id:
        company_levels = levels.filtered(lambda level, company=company: level.company_id == company)
        for original in company_levels.mail_template_id:
            copy = company._copy_followup_mail_template(original)
            company_levels.filtered(lambda level, original=original: level.mail_template_id == original).write(
                {"mail_template_id": copy.id}
            )
    _logger.info("Follow-up templates copied for %s company(ies)", len(levels.company_id))


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    _give_formal_notice_template(env)
    _give_companies_their_templates(env)
