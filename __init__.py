from . import controllers
from . import models
from . import report
from . import wizards


def _post_init_hook(env):
    """Give every existing company the default follow-up plan."""
    env["res.company"].search([])._create_default_followup_levels()
