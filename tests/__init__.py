from . import test_followup_cron, test_followup_engine, test_followup_level, test_followup_wizards
