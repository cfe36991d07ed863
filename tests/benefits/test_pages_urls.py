"""Every benefits page is routed where the templates and the README say."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("benefits:programme_list", [], "/benefits/"),
        ("benefits:payee", [7], "/benefits/children/7/payee/"),
        ("benefits:dashboard", [], "/benefits/dashboard/"),
        ("benefits:run_bankfile_xlsx", [3], "/benefits/runs/3/bankfile.xlsx"),
        ("benefits:run_bankfile_csv", [3], "/benefits/runs/3/bankfile.csv"),
        (
            "benefits:entitlement_list",
            ["orphan-home"],
            "/benefits/programmes/orphan-home/entitlements/",
        ),
        ("benefits:scholarship_leave", [5], "/benefits/scholarship/5/leave/"),
    ],
)
def test_pages_are_routed_under_benefits(name, args, expected):
    assert reverse(name, args=args) == expected
