from . import report_followup_letter
