"""SVG charts: well-formed, accessible, escaped, proportional; periods parse and round-trip."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huhang.reports import charts
from huhang.reports.periods import HalfYear, last_months, month_of

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_bar_chart_is_accessible_and_proportional():
    root = _parse(charts.bar_chart([("友谊一社区", 10), ("河东村", 5)], title="儿童", unit="人"))
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby").split()
    ids = {el.get("id"): el.text for el in root.iter() if el.get("id")}
    assert ids[labelled[0]] == "儿童"
    assert "友谊一社区" in ids[labelled[1]] and "10人" in ids[labelled[1]]
    widths = [float(r.get("width")) for r in root.iter(f"{NS}rect")]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert [t.text for t in root.iter(f"{NS}title")][1:] == [
        "友谊一社区",
        "友谊一社区 · 人: 10人",
        "河东村",
        "河东村 · 人: 5人",
    ]


def test_stacked_bar_chart_has_a_legend_and_totals():
    svg = charts.stacked_bar_chart(
        [("街道", [1, 2]), ("镇", [0, 3])], series=["孤儿", "困境"], title="类别"
    )
    root = _parse(svg)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "孤儿" in texts and "困境" in texts and "3" in texts
    # A zero part draws nothing: 2 legend squares + 2 + 1 bars.
    assert len(list(root.iter(f"{NS}rect"))) == 5


@given(st.text(min_size=1, max_size=40))
def test_labels_are_escaped(label):
    svg = charts.bar_chart([(label, 1)], title=label)
    _parse(svg)  # well-formed whatever the text
    assert "<script" not in svg or "&lt;script" in svg


def test_empty_chart_is_still_an_image():
    root = _parse(charts.bar_chart([], title="无数据"))
    assert root.find(f"{NS}title").text == "无数据"


def test_line_chart_leaves_a_gap_for_missing_months():
    svg = charts.line_chart(
        [("01", 50.0), ("02", None), ("03", 100.0), ("04", 80.0)], title="率", unit="%", top=100
    )
    root = _parse(svg)
    assert len(list(root.iter(f"{NS}circle"))) == 3
    lines = list(root.iter(f"{NS}polyline"))
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2
    assert "02: —" in root.find(f"{NS}desc").text
    # 100% sits on the top line, 50% half-way down.
    ys = [float(c.get("cy")) for c in root.iter(f"{NS}circle")]
    assert ys[1] < ys[2] < ys[0]


def test_chart_ids_are_unique_on_a_page():
    a, b = charts.bar_chart([("a", 1)], title="a"), charts.bar_chart([("b", 1)], title="b")
    assert re.search(r'id="(chart\d+)-t"', a)[1] != re.search(r'id="(chart\d+)-t"', b)[1]


@given(st.integers(min_value=1900, max_value=2999), st.sampled_from([1, 2]))
def test_half_year_key_round_trips(year, half):
    period = HalfYear.of(year, half)
    assert HalfYear.parse(period.key) == period
    assert period.next().previous() == period
    assert HalfYear.containing(period.start) == period == HalfYear.containing(period.end)
    assert (period.end - period.start).days + 1 in (181, 182, 184)


@given(st.text(max_size=12))
def test_half_year_parse_refuses_or_returns_a_half_year(text):
    try:
        period = HalfYear.parse(text)
    except ValueError:
        return
    assert (
        period.half in (1, 2)
        and period.key.lower() in text.replace(" ", "").replace("-", "").lower()
    )


def test_months():
    assert month_of(date(2024, 2, 10)).end == date(2024, 2, 29)
    assert last_months(date(2026, 1, 31), 3) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
    ]
    assert HalfYear.of(2026, 1).end_before.isoformat() == "2026-07-01T00:00:00+08:00"


def test_legend_stays_inside_the_chart_in_english():
    names = ["Orphan", "De-facto unsupported child", "Child in difficulty", "Left-behind child"]
    root = _parse(charts.stacked_bar_chart([("Street", [1, 2, 3, 4])], series=names, title="t"))
    squares = [r for r in root.iter(f"{NS}rect") if r.get("width") == "12"]
    assert len(squares) == 4
    assert all(float(r.get("x")) < 640 - 12 for r in squares)
    assert len({r.get("y") for r in squares}) == 2  # wrapped onto a second line
    bars = [r for r in root.iter(f"{NS}rect") if r.get("width") != "12"]
    assert min(float(b.get("y")) for b in bars) > max(float(r.get("y")) for r in squares)


def _shown(el) -> str:
    """The text a <text> shows (without its <title> tooltip)."""
    return (el.text or "") + "".join(child.tail or "" for child in el)


def _text_box(el) -> tuple[float, float]:
    """Horizontal extent of a <text> by its anchor and the charts' width estimate."""
    x, w = float(el.get("x")), charts._width(_shown(el))
    anchor = el.get("text-anchor", "start")
    left = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
    return left, left + w


@pytest.mark.parametrize("width", [charts.WIDTH, charts.NARROW])
def test_line_chart_labels_stay_inside_and_apart(width):
    points = [("2026-10", 92.3), ("2026-11", 100.0), ("2026-12", 0.0)]
    root = _parse(charts.line_chart(points, title="t", unit="%", top=100, width=width))
    assert root.get("viewBox") == f"0 0 {width} 200"
    texts = list(root.iter(f"{NS}text"))
    for el in texts:
        left, right = _text_box(el)
        assert left >= 0 and right <= width, _shown(el)
    axis_top = next(el for el in texts if _shown(el) == "100%")
    first_value = next(el for el in texts if _shown(el) == "92.3")
    assert _text_box(axis_top)[1] < _text_box(first_value)[0]
    assert min(float(el.get("y")) for el in texts) >= 13  # nothing cut off at the top


def test_responsive_draws_a_desk_and_a_phone_chart():
    html = str(charts.responsive(charts.bar_chart, [("阿尔丁大街街道", 3)], title="t"))
    wide, narrow = (_parse(part + "</svg>") for part in html.split("</svg>")[:2])
    assert (wide.get("class"), wide.get("viewBox").split()[2]) == ("chart wide", "640")
    assert (narrow.get("class"), narrow.get("viewBox").split()[2]) == ("chart narrow", "360")
    label = next(t for t in narrow.iter(f"{NS}text") if "街" in _shown(t))
    assert _shown(label) == "阿尔丁大街街道"  # 7 characters fit on a phone, unclipped
    assert _text_box(label)[0] >= 0


def test_legend_wraps_inside_a_phone_chart():
    names = ["孤儿", "事实无人抚养儿童", "困境儿童", "留守儿童", "流动儿童"]
    root = _parse(
        charts.stacked_bar_chart([("街道", [1, 2, 3, 4, 5])], series=names, title="t", width=360)
    )
    legend = [t for t in root.iter(f"{NS}text") if _shown(t) in names]
    assert len(legend) == 5
    assert all(_text_box(t)[1] <= 360 for t in legend)
    assert len({t.get("y") for t in legend}) >= 2
