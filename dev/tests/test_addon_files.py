"""Checks of the addon's files that need no Odoo: they run even where Odoo
cannot be installed."""

import ast
import csv
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ast.literal_eval((ROOT / "__manifest__.py").read_text())


def test_manifest_declares_an_odoo_17_addon():
    assert MANIFEST["version"].startswith("17.0.")
    assert {"account", "mail"} <= set(MANIFEST["depends"])
    assert MANIFEST["license"] in {"LGPL-3", "AGPL-3", "OPL-1"}


@pytest.mark.parametrize("path", MANIFEST["data"] + MANIFEST.get("demo", []))
def test_manifest_files_exist_and_parse(path):
    file = ROOT / path
    assert file.is_file(), f"{path} is listed in the manifest but missing"
    if file.suffix == ".xml":
        etree.parse(str(file))
    elif file.suffix == ".csv":
        rows = list(csv.DictReader(file.open()))
        assert rows and all(row["id"] and row["model_id:id"] for row in rows)


def test_views_use_no_attrs_nor_states():
    """Odoo 17 views write conditions in invisible/readonly/required directly."""
    offenders = []
    for file in ROOT.glob("**/*.xml"):
        if ".dev" in file.parts:
            continue
        tree = etree.parse(str(file))
        for node in tree.iter():
            if isinstance(node.tag, str) and ("attrs" in node.attrib or "states" in node.attrib):
                offenders.append(f"{file.relative_to(ROOT)}:{node.sourceline}")
    assert not offenders, offenders


def test_every_python_file_compiles():
    for file in ROOT.glob("**/*.py"):
        if ".dev" in file.parts:
            continue
        compile(file.read_text(), str(file), "exec")


def test_install_log_has_no_warning():
    """The module installs on a fresh database without a warning or an error.

    The test command installs it and passes the log here; machine-level notices
    that are not about the module (running as root, wkhtmltopdf build) are not
    counted."""
    log_path = os.environ.get("APF_INSTALL_LOG")
    if not log_path:
        pytest.skip("no installation log: the Odoo tier did not run")
    ignored = ("Running as user 'root'", "wkhtmltopdf", "You need Reportlab")
    problems = [
        line.strip()
        for line in Path(log_path).read_text().splitlines()
        if (" WARNING " in line or " ERROR " in line or " CRITICAL " in line)
        and not any(text in line for text in ignored)
    ]
    assert not problems, "\n".join(problems)


def test_readme_is_generated_from_its_fragments():
    """README.rst is what dev/gen_readme.py writes from readme/*.md (OCA's layout)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "dev" / "gen_readme.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr or result.stdout


def test_pip_builds_the_addon_as_an_oca_wheel(tmp_path):
    """`pip wheel .` builds odoo-addon-account_payment_followup with whool, from a
    checkout whatever its folder's name, with the manifest's version."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    wheels = list(tmp_path.glob("*.whl"))
    assert len(wheels) == 1, wheels
    # whool adds the number of commits since the version's, from git, when it can.
    version = re.escape(MANIFEST["version"])
    assert re.fullmatch(rf"odoo_addon_account_payment_followup-{version}(\.\d+)?-py3-none-any\.whl", wheels[0].name)
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(next(name for name in names if name.endswith("METADATA"))).decode()
    assert "odoo/addons/account_payment_followup/__manifest__.py" in names
    assert "Requires-Dist: odoo>=17.0a" in metadata
