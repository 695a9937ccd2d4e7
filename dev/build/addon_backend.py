"""PEP 517 build backend: OCA's whool, given the addon's folder under its own name.

whool names the distribution after the folder it builds (``odoo-addon-<folder>``),
which in an OCA repository is the addon's folder. Here the repository root is
the addon, and a clone may sit in a folder of any name (``main``, a CI
checkout): the build then runs on a copy of the files under git, in a folder
named ``account_payment_followup``. Everything else (version, dependencies,
the wheel's layout) is whool's, read from ``__manifest__.py``.
"""

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from whool import buildapi

ADDON = "account_payment_followup"


@contextmanager
def _addon_folder():
    here = Path.cwd()
    files = subprocess.run(["git", "ls-files"], cwd=here, capture_output=True, text=True, check=False).stdout.split()
    in_git = not subprocess.run(["git", "rev-parse"], cwd=here, capture_output=True, check=False).returncode
    if here.name == ADDON and (files or not in_git):
        # whool as it is: it copies the files under git, or all of an unpacked
        # folder. A folder that git ignores (a copy inside a checkout) would
        # give it no file at all: it is copied below instead.
        yield
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / ADDON
        if files:
            for name in files:
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(here / name, folder / name)
        else:  # not a git checkout: an unpacked archive
            shutil.copytree(here, folder, ignore=shutil.ignore_patterns(".git", ".dev", "__pycache__"))
        # The copy has no git history to count commits since the version from.
        previous = os.environ.get("WHOOL_POST_VERSION_STRATEGY_OVERRIDE")
        os.environ["WHOOL_POST_VERSION_STRATEGY_OVERRIDE"] = previous or "none"
        os.chdir(folder)
        try:
            yield
        finally:
            os.chdir(here)
            if previous is None:
                del os.environ["WHOOL_POST_VERSION_STRATEGY_OVERRIDE"]


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with _addon_folder():
        return buildapi.build_wheel(os.path.abspath(wheel_directory), config_settings)


def build_sdist(sdist_directory, config_settings=None):
    with _addon_folder():
        return buildapi.build_sdist(os.path.abspath(sdist_directory), config_settings)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    with _addon_folder():
        return buildapi.prepare_metadata_for_build_wheel(os.path.abspath(metadata_directory), config_settings)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    if Path.cwd().name != ADDON:
        raise RuntimeError(f"an editable install needs the repository in a folder named {ADDON}")
    return buildapi.build_editable(wheel_directory, config_settings, metadata_directory)


prepare_metadata_for_build_editable = buildapi.prepare_metadata_for_build_editable
