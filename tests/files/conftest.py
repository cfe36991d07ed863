from __future__ import annotations

import pytest


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    return settings.DATA_DIR


# The payroll fixtures (a second bureau officer, the programme, its standards, two entitled
# children with payees), shared with the benefits tests.
from tests.benefits.conftest import bureau2, entitled, home, standards  # noqa: E402, F401
