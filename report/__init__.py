from . import account_followup_analysis_mixin
from . import account_followup_aged_receivable
from . import account_followup_dso_report
from . import account_followup_effectiveness_report
from . import account_followup_overdue_report
from . import account_followup_payment_report
from . import report_followup_letter
