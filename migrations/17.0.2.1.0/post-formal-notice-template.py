"""17.0.2.1.0: the formal notice has an e-mail template of its own.

The default plan's "Formal notice" level had none, and Send & Print proposed
the second reminder's (subject "Second payment reminder" above the legal
text). Each company whose formal notice level still has no template gets its
own copy of the module's formal notice template, as new companies do.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
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
