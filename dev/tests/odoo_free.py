"""pytest plugin of the Odoo-free tier: the repository root is an Odoo addon (a
Python package that imports Odoo); collect it as a plain folder so these tests
run where Odoo is not installed."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path, parent):
    if path == ROOT:
        return pytest.Dir.from_parent(parent, path=path)
    return None
