"""The half-year report's total rows keep their labels on a phone (each figure is labelled,
as in the body rows)."""

from __future__ import annotations

from django.urls import reverse


def test_every_figure_of_a_total_row_has_its_label(users, login):
    html = login(users["bureau"]).get(reverse("reports:half_year")).content.decode()
    footers = html.split("<tfoot>")[1:]
    assert footers, "the report has total rows"
    for foot in footers:
        cells = foot.split("</tfoot>")[0].split("<td")[1:]
        assert all("data-label=" in cell for cell in cells[1:]), foot[:300]
