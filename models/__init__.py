from . import account_followup_level
from . import account_followup
from . import account_followup_dispute_reason
from . import account_followup_demo
from . import account_followup_dispute
from . import account_followup_promise
from . import account_followup_statement
from . import account_followup_step
from . import account_followup_step_charges
from . import account_followup_step_channel
from . import account_followup_statement_page
from . import account_followup_step_analysis
from . import account_move
from . import account_move_line
from . import ir_module_module
from . import ir_ui_menu
from . import mail_activity
from . import res_company
from . import res_config_settings
from . import res_partner

# The SQL views (aged receivable, analysis) read the tables above: created after them.
from . import account_followup_aged_receivable
from . import account_followup_analysis_mixin
from . import account_followup_dso_report
from . import account_followup_effectiveness_report
from . import account_followup_overdue_report
from . import account_followup_payment_report
