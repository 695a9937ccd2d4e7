"""Follow-up plans (17.0.2.2.0): the steps an earlier migration script of this
upgrade wrote in SQL (17.0.2.0.0's steps made from the items' levels, when
upgrading from 17.0.1) get their plan, their level's."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE account_followup_step step
           SET plan_id = level.plan_id
          FROM account_followup_level level
         WHERE level.id = step.level_id
           AND step.plan_id IS NULL
        """
    )
