"""Upgrade from the previous versions without losing what was sent.

Installs a released version of the addon (17.0.1.0.0, 17.0.2.0.0, 17.0.2.1.0) from the
repository's history into a database of its own, runs the follow-ups there, upgrades the database to
the working tree and runs them again: nothing is sent or proposed twice, and
what was sent is in the follow-up history. Run by ``bash dev/dev.sh test``,
which gives the repository and the Odoo configuration.
"""

import configparser
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MODULE = "account_payment_followup"
# Its own name per checkout (APF_UPGRADE_DB), so that two runs at once do not drop each other's.
DATABASE = os.environ.get("APF_UPGRADE_DB", "apf_upgrade_test")


# The last commit of each released version on main, the versions this one upgrades.
RELEASED_VERSIONS = {
    "17.0.1.0.0": "3fc6fd46d556e15e13b8b13dd5cdf7b4af544d89",
    "17.0.2.0.0": "5d17abf2fbe6643bcdf36f77f84a8896253fb1d6",
    "17.0.2.1.0": "cc9524d8baebf278c1a9613d1a59d4639c964523",
    "17.0.2.2.0": "a6e53fc2078d0b4fe09addcd6b97cfbe4c6b53c5",
}


def _config(base_config, addons_dir, path):
    parser = configparser.ConfigParser()
    parser.read(base_config)
    options = parser["options"]
    odoo_addons = options["addons_path"].split(",")[0]
    options["addons_path"] = f"{odoo_addons},{addons_dir}"
    with open(path, "w") as handle:
        parser.write(handle)
    return path


def _odoo(config, *args):
    subprocess.run(
        [sys.executable, "-m", "odoo", "-c", config, "-d", DATABASE, "--no-http", "--log-level=warn", *args],
        check=True,
    )


def _scenario(config, verb, scenario):
    result = subprocess.run(
        [sys.executable, scenario, "-c", config, "-d", DATABASE, verb], check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1]) if verb == "run" else None


def _report_views():
    """The addon's SQL views left in the upgrade database."""
    from odoo.sql_db import db_connect

    with db_connect(DATABASE).cursor() as cr:
        cr.execute("SELECT viewname FROM pg_views WHERE viewname LIKE 'account\\_followup\\_%' ORDER BY viewname")
        return [name for (name,) in cr.fetchall()]


def _step_columns():
    """The columns of the follow-up steps' table in the upgrade database."""
    from odoo.sql_db import db_connect

    with db_connect(DATABASE).cursor() as cr:
        cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'account_followup_step'")
        return {name for (name,) in cr.fetchall()}


CHANNEL_FLAGS = {"by_email", "by_letter", "by_sms", "by_manual"}


@pytest.mark.parametrize("version", sorted(RELEASED_VERSIONS))
def test_upgrade_keeps_what_was_sent(tmp_path, version):
    repo = os.environ.get("APF_REPO")
    base_config = os.environ.get("APF_ODOO_CONFIG")
    assert repo and base_config, "run by `bash dev/dev.sh test`, which sets APF_REPO and APF_ODOO_CONFIG"
    new_addons = Path(__file__).resolve().parents[2]
    scenario = str(new_addons / MODULE / "dev" / "upgrade_scenario.py")

    old_addons = tmp_path / "old"
    (old_addons / MODULE).mkdir(parents=True)
    commit = RELEASED_VERSIONS[version]
    archive = subprocess.run(["git", "-C", repo, "archive", commit], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old_addons / MODULE)], input=archive, check=True)
    old_config = _config(base_config, old_addons, tmp_path / "old.conf")
    new_config = _config(base_config, new_addons, tmp_path / "new.conf")

    from odoo.sql_db import db_connect

    with db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    subprocess.run([sys.executable, "-m", "odoo", "-c", old_config, "-d", DATABASE, "--no-http",
                    "--log-level=warn", "--without-demo=all", "-i", MODULE, "--stop-after-init"], check=True)  # fmt: skip
    _scenario(old_config, "prepare", scenario)
    before = _scenario(old_config, "run", scenario)
    assert before["reminders"] == 1, before  # the 1-day customer got its first reminder
    assert before["activities"] == 1, before  # the 16-day customer's call was proposed
    assert before["levels"] == ["First reminder"], before

    views_before = _report_views()
    if version < "17.0.2.1.0":  # the released versions before the reports became queries had their views
        assert "account_followup_aged_receivable" in views_before, views_before

    flags_before = _step_columns() & CHANNEL_FLAGS

    _odoo(new_config, "-u", MODULE, "--stop-after-init")
    after = _scenario(new_config, "run", scenario)
    assert after["reminders"] == before["reminders"], f"a reminder was sent again: {before} -> {after}"
    assert after["mails"] == before["mails"], f"an e-mail was queued again: {before} -> {after}"
    assert after["activities"] == before["activities"], f"a call was proposed again: {before} -> {after}"
    assert after["levels"] == before["levels"]
    # 17.0.2.3: the responsible was told of the proposed call once, before the upgrade, not again after it.
    assert before["assigned"] == 1, before
    assert after["assigned"] == 1 and after["notifications_pending"] == 0, after
    assert after["steps"] == 2, after  # the reminder (done) and the proposed call (in progress)
    if version == "17.0.1.0.0":  # the steps the migration creates have their figures (issue 21.5)
        assert after["figures"] == 2, after
    if before["actions"] is not None:  # 17.0.2: what each action did is kept
        assert after["actions"] == before["actions"], f"{before['actions']} -> {after['actions']}"
    # 17.0.2.1: the formal notice no longer borrows another level's template.
    assert after["formal_notice_template"] and "formal notice" in after["formal_notice_template"].lower(), after
    # 17.0.2.2: every level is in its company's default plan (and nothing was sent again, above).
    assert after["level_plans"] == [["Default plan", True]], after
    assert after["steps_without_plan"] == 0, after
    # 17.0.2.1: the reports are queries (_table_query); the SQL views of the released versions are gone.
    assert _report_views() == [], _report_views()
    # 17.0.2.2.0: the companies keep the fixed regime and get the margin and rounding of their country.
    assert after["statutory"] == {
        "Upgrade DE Company": ["fixed", 9.0, False],
        "Upgrade BE Company": ["fixed", 8.0, True],
    }, after
    assert after["reference_rates"] == 19, after
    # 17.0.2.2: the steps' flags per channel are gone (a search on their actions replaces them).
    if "17.0.2.0.0" <= version < "17.0.2.2.0":  # the versions with the analysis and the flags
        assert flags_before == CHANNEL_FLAGS, flags_before
    assert not _step_columns() & CHANNEL_FLAGS, _step_columns() & CHANNEL_FLAGS
