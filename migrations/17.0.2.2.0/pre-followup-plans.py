"""Follow-up plans per customer segment (17.0.2.2.0).

Until this version a company had one ladder of levels. Before the module's
models are loaded, each company with levels gets its default plan and every
level goes into it, so that ``account.followup.level.plan_id`` is required
from the start. The items' levels (``account_move_line.followup_level_id``)
and the steps stay as they are: what was sent stays sent (levels are compared
by their delay, and the levels did not change).

Written in SQL: the ORM of the new version cannot run before its tables exist.
The ORM completes the table afterwards (foreign keys, indexes). The new
stored fields of the steps (their plan) and the contacts (their debtor type)
are filled here too.
"""

import json

from odoo.tools.sql import table_exists


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        CREATE TABLE IF NOT EXISTS account_followup_plan (
            id SERIAL PRIMARY KEY,
            name JSONB NOT NULL,
            company_id INTEGER NOT NULL,
            sequence INTEGER,
            active BOOLEAN,
            filter_domain VARCHAR,
            create_uid INTEGER,
            create_date TIMESTAMP WITHOUT TIME ZONE,
            write_uid INTEGER,
            write_date TIMESTAMP WITHOUT TIME ZONE
        )
        """
    )
    cr.execute("ALTER TABLE account_followup_level ADD COLUMN IF NOT EXISTS plan_id INTEGER")
    cr.execute("ALTER TABLE res_company ADD COLUMN IF NOT EXISTS followup_default_plan_id INTEGER")
    # The delay is unique per plan now (delay_plan_uniq, added by the ORM).
    cr.execute("ALTER TABLE account_followup_level DROP CONSTRAINT IF EXISTS account_followup_level_delay_company_uniq")
    cr.execute(
        """
        SELECT company.id
          FROM res_company company
         WHERE company.followup_default_plan_id IS NULL
           AND EXISTS (SELECT 1 FROM account_followup_level level WHERE level.company_id = company.id)
        """
    )
    for (company_id,) in cr.fetchall():
        cr.execute(
            """
            INSERT INTO account_followup_plan
                   (name, company_id, sequence, active, create_uid, create_date, write_uid, write_date)
            VALUES (%s, %s, 100, TRUE, 1, now() at time zone 'UTC', 1, now() at time zone 'UTC')
            RETURNING id
            """,
            [json.dumps({"en_US": "Default plan"}), company_id],
        )
        (plan_id,) = cr.fetchone()
        cr.execute("UPDATE res_company SET followup_default_plan_id = %s WHERE id = %s", [plan_id, company_id])
        cr.execute(
            "UPDATE account_followup_level SET plan_id = %s WHERE company_id = %s AND plan_id IS NULL",
            [plan_id, company_id],
        )
    # Stored fields filled here rather than recomputed by the ORM record by
    # record (hundreds of thousands of contacts and steps on a large database).
    if table_exists(cr, "account_followup_step"):  # 17.0.1 had no history (17.0.2.0.0's post script makes it)
        cr.execute("ALTER TABLE account_followup_step ADD COLUMN IF NOT EXISTS plan_id INTEGER")
        cr.execute(
            """
            UPDATE account_followup_step step
               SET plan_id = level.plan_id
              FROM account_followup_level level
             WHERE level.id = step.level_id
               AND step.plan_id IS NULL
            """
        )
    cr.execute("ALTER TABLE res_partner ADD COLUMN IF NOT EXISTS followup_debtor_type VARCHAR")
    cr.execute(
        """
        UPDATE res_partner partner
           SET followup_debtor_type = CASE
                   WHEN commercial.is_company OR COALESCE(commercial.vat, '') != '' THEN 'business'
                   ELSE 'consumer'
               END
          FROM res_partner commercial
         WHERE commercial.id = COALESCE(partner.commercial_partner_id, partner.id)
           AND partner.followup_debtor_type IS NULL
        """
    )
