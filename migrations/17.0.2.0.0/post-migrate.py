"""17.0.2.0.0: the follow-up history.

Before this version a follow-up lived as the last level each journal item
received (``account_move_line.followup_level_id``) and, for a level proposed
to a person, as an open activity. Both become steps, so that "never twice",
decided from the history from now on, forgets nothing that was sent:

* the items that received a level become done steps, one per customer,
  company, level and day (the history before this version holds the last
  level each item received);
* an open follow-up activity becomes the step in progress of its level, with
  its manual action to do, so the scheduled action does not propose it again.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def _migrate_received_levels(cr):
    cr.execute(
        """
        WITH received AS (
            SELECT p.commercial_partner_id AS partner_id,
                   aml.company_id,
                   aml.followup_level_id AS level_id,
                   COALESCE(aml.followup_date, aml.write_date::date) AS date,
                   MAX(aml.write_uid) AS user_id,
                   ARRAY_AGG(aml.id) AS item_ids
              FROM account_move_line aml
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.followup_level_id IS NOT NULL
          GROUP BY 1, 2, 3, 4
        ),
        steps AS (
            INSERT INTO account_followup_step
                   (partner_id, company_id, level_id, date, user_id, automatic, state,
                    amount_due, amount_overdue, create_uid, create_date, write_uid, write_date)
            SELECT received.partner_id, received.company_id, received.level_id, received.date,
                   COALESCE(received.user_id, %(root)s), level.auto_execute, 'done', 0, 0,
                   %(root)s, now() at time zone 'UTC', %(root)s, now() at time zone 'UTC'
              FROM received
              JOIN account_followup_level level ON level.id = received.level_id
         RETURNING id, partner_id, company_id, level_id, date
        ),
        items AS (
            INSERT INTO account_followup_step_move_line_rel (step_id, move_line_id)
            SELECT steps.id, UNNEST(received.item_ids)
              FROM steps
              JOIN received ON received.partner_id = steps.partner_id
                           AND received.company_id = steps.company_id
                           AND received.level_id = steps.level_id
                           AND received.date = steps.date
        )
        SELECT id FROM steps
        """,
        {"root": SUPERUSER_ID},
    )
    step_ids = [row[0] for row in cr.fetchall()]
    _logger.info("Follow-up history: %s step(s) recorded from the levels items received", len(step_ids))
    return step_ids


def _compute_step_figures(env, step_ids):
    """The stored figures of the steps inserted by SQL (what each step's items
    owed on its date, what was paid after it): computed by the step's own
    method, as the ORM does for the steps it creates, so that the analysis of a
    migrated history shows its results."""
    steps = env["account.followup.step"].browse(step_ids)
    for name in ("amount_concerned", "paid_7", "paid_14", "paid_30", "paid_since", "paid_date"):
        env.add_to_compute(steps._fields[name], steps)
    steps.flush_recordset()


def _migrate_proposed_levels(env):
    followup = env["account.followup"]
    activities = env["mail.activity"].search([("res_model", "=", "res.partner"), ("followup_level_id", "!=", False)])
    for activity in activities:
        level = activity.followup_level_id
        partner = env["res.partner"].browse(activity.res_id).exists()
        if not partner:
            continue
        situation = followup.with_company(level.company_id)._get_situation(partner, level.company_id)
        vals = followup._prepare_step_vals(situation, automatic=True)
        vals.update(
            level_id=level.id,
            date=activity.create_date.date(),
            user_id=activity.create_uid.id or SUPERUSER_ID,
            channel_ids=[
                (
                    0,
                    0,
                    {
                        "channel": "manual",
                        "state": "to_do",
                        "note": activity.summary or level.name,
                        "activity_id": activity.id,
                        "partner_id": vals["partner_id"],
                        "company_id": level.company_id.id,
                        "level_id": level.id,
                        "date": activity.create_date.date(),
                    },
                )
            ],
        )
        env["account.followup.step"].create(vals)
    _logger.info("Follow-up history: %s proposed level(s) recorded as steps in progress", len(activities))


def migrate(cr, version):
    if not version:
        return
    step_ids = _migrate_received_levels(cr)
    env = api.Environment(cr, SUPERUSER_ID, {})
    _compute_step_figures(env, step_ids)
    _migrate_proposed_levels(env)
