"""The follow-up engine's plain Python: a customer's situation, worked out once
per batch (``situation.py``), and the channels that reach the customer
(``channels/``, one file each). The Odoo models that use them are in
``models/``: the rules (``account_followup_rules.py``), running a batch
(``account_followup_execution.py``) and recording a step
(``account_followup_recording.py``)."""
