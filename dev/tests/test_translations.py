"""The translations: the .pot lists every translatable string of the module,
and the Dutch and Spanish translations are complete."""

import os
import re
from pathlib import Path

import polib
import pytest

I18N = Path(__file__).resolve().parents[2] / "i18n"
POT = I18N / "account_payment_followup.pot"
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdf]|\{\{.*?\}\}")


def test_pot_is_up_to_date():
    """Fails when a translatable string of the module is missing from the .pot.

    The test command exports the strings of the freshly installed module
    (Odoo's own export) and gives the file here."""
    exported_path = os.environ.get("APF_EXPORTED_POT")
    if not exported_path:
        pytest.skip("no exported .pot: the Odoo tier did not run")
    exported = {entry.msgid for entry in polib.pofile(exported_path)}
    committed = {entry.msgid for entry in polib.pofile(str(POT))}
    missing = sorted(exported - committed)
    assert not missing, (
        "i18n/account_payment_followup.pot is out of date; export it again "
        f"(see README, Development). Missing: {missing}"
    )


@pytest.mark.parametrize("language", ["nl", "es"])
def test_translations_are_complete(language):
    pot = polib.pofile(str(POT))
    po = {entry.msgid: entry.msgstr for entry in polib.pofile(str(I18N / f"{language}.po"))}
    untranslated = [entry.msgid for entry in pot if not po.get(entry.msgid)]
    assert not untranslated, f"{language}.po lacks: {untranslated}"
    broken = [
        msgid
        for msgid, msgstr in po.items()
        if msgstr and sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))
    ]
    assert not broken, f"{language}.po changes the placeholders of: {broken}"
