from . import (
    account_followup,
    account_followup_aged_receivable,
    account_followup_level,
    account_move,
    account_move_line,
    mail_activity,
    res_company,
    res_config_settings,
    res_partner,
)
