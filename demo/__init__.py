from . import account_followup_demo
