from . import account_move_expected_payment
from . import res_partner_followup_note
from . import res_partner_followup_plan
from . import res_partner_followup_send
from . import account_followup_preview
from . import account_followup_dispute_resolve
