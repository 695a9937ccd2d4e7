from . import test_followup_level
from . import test_followup_engine
from . import test_followup_cron
from . import test_followup_wizards
from . import test_followup_safety
from . import test_statements
from . import test_statements_tour
from . import test_demo
