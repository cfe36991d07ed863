"""Charts drawn on the server as SVG: horizontal bars (plain or stacked) and a simple line.

No JavaScript, no web font: the SVG uses the page's font, scales to its container (viewBox) and
prints. Text in an SVG scales with it, so `responsive` draws a chart twice — 640 units wide for a
desk and for paper, 360 for a phone — and the stylesheet shows the one that fits, each at about
its natural size (13 px text). Each chart is an image with a <title> and a <desc> that reads out the figures, and each
bar or point carries its own <title> (a screen reader and a hover both tell its value). Labels
and titles are escaped here; callers pass plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import count

from django.utils.html import escape as _escape
from django.utils.safestring import SafeString, mark_safe

# Colours readable on paper and in grey print (darkest first); the first is the app's red.
PALETTE = ("#b91c1c", "#1d4ed8", "#166534", "#92400e", "#6b21a8", "#0f766e", "#6b7280")
WIDTH = 640  # a desk's and paper's chart
NARROW = 360  # a phone's
ROW = 26  # height of one bar row
VALUE = 60  # room right of the longest bar for its figure
CHAR = 13  # approximate width of one CJK character at the chart's font size

_ids = count(1)
# Characters XML does not allow (C0 controls, U+FFFE/U+FFFF): names from feeds may carry them.
_NOT_XML = re.compile("[\x00-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    return _escape(_NOT_XML.sub(" ", str(text)))


def _label_column(width: int) -> int:
    """Width of the bar charts' label column (7 CJK characters on a phone, 11 on a desk)."""
    return 150 if width >= WIDTH else 100


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    n = next(_ids)
    # Safe: every text below went through escape().
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img"'
        f' aria-labelledby="chart{n}-t chart{n}-d" xmlns="http://www.w3.org/2000/svg"'
        f' font-size="13" preserveAspectRatio="xMinYMin meet">'
        f'<title id="chart{n}-t">{escape(title)}</title><desc id="chart{n}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _width(text: str) -> float:
    """Approximate width in pixels at the chart's font size: CJK characters are about one em,
    Latin letters and digits a little over half of one."""
    return sum(CHAR if ord(ch) >= 0x2E80 else CHAR * 0.58 for ch in text)


def _clip(label: str, width: int) -> str:
    """Shorten a label to fit its column."""
    if _width(label) <= width:
        return label
    while label and _width(label + "…") > width:
        label = label[:-1]
    return label + "…"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    colour: str = PALETTE[0],
    width: int = WIDTH,
) -> SafeString:
    """One horizontal bar per (label, value); longest bar = largest value."""
    return stacked_bar_chart(
        [(label, [value]) for label, value in items],
        series=[unit or title],
        title=title,
        unit=unit,
        colours=(colour,),
        legend=False,
        width=width,
    )


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[float]]],
    *,
    series: Sequence[str],
    title: str,
    unit: str = "",
    colours: Sequence[str] = PALETTE,
    legend: bool = True,
    width: int = WIDTH,
) -> SafeString:
    """One horizontal bar per row, split into the series' parts, the row's total at its end."""
    totals = [sum(values) for _label, values in rows]
    peak = max(totals, default=0) or 1
    label_w = _label_column(width)
    span = width - label_w - VALUE
    top = 4
    body: list[str] = []
    if legend:  # left to right, wrapping onto another line at the chart's right edge
        start = 4.0 if width < WIDTH else float(label_w)
        x, y = start, 4
        for i, name in enumerate(series):
            step = 16 + _width(name) + 14
            if x > start and x + step - 14 > width:
                x, y = start, y + 18
            body.append(
                f'<rect x="{x:.0f}" y="{y}" width="12" height="12"'
                f' fill="{colours[i % len(colours)]}"/>'
                f'<text x="{x + 16:.0f}" y="{y + 11}">{escape(name)}</text>'
            )
            x += step
        top = y + 18
    for r, ((label, values), total) in enumerate(zip(rows, totals, strict=True)):
        y = top + r * ROW
        body.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(_clip(label, label_w - 8))}</text>"
        )
        x = float(label_w)
        for i, value in enumerate(values):
            if not value:
                continue
            w = span * value / peak
            tip = f"{label} · {series[i]}: {_number(value)}{unit}"
            body.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{max(w, 1):.1f}" height="{ROW - 8}"'
                f' fill="{colours[i % len(colours)]}"><title>{escape(tip)}</title></rect>'
            )
            x += w
        body.append(f'<text x="{x + 6:.1f}" y="{y + 17}">{escape(_number(total))}</text>')
    height = top + max(len(rows), 1) * ROW + 4
    desc = "; ".join(
        f"{label}: "
        + ", ".join(
            f"{name} {_number(v)}{unit}" for name, v in zip(series, values, strict=True) if v
        )
        + (f" ({_number(total)}{unit})" if len(series) > 1 else "")
        for (label, values), total in zip(rows, totals, strict=True)
    )
    return _svg(width, height, title, desc or "—", body)


def line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    unit: str = "",
    top: float | None = None,
    colour: str = PALETTE[2],
    width: int = WIDTH,
) -> SafeString:
    """A line through (label, value) points left to right; None leaves a gap (no data).

    The first and last labels under the axis get room enough to be whole; each point's figure
    sits above it, right of the first point and left of the last, clear of the axis labels."""
    values = [v for _label, v in points if v is not None]
    peak = top if top is not None else (max(values, default=0) or 1)
    axis = _width(f"{_number(peak)}{unit}") + 10
    first = _width(points[0][0]) / 2 + 4 if points else 0
    last = _width(points[-1][0]) / 2 + 4 if points else 0
    height, left, right, upper, lower = 200, max(axis, first), max(16, last), 24, 28
    plot_w, plot_h = width - left - right, height - upper - lower
    step = plot_w / max(len(points) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, upper + plot_h * (1 - v / peak)

    body = [
        f'<line x1="{left:.1f}" y1="{upper + plot_h}" x2="{width - right:.1f}"'
        f' y2="{upper + plot_h}" stroke="#9ca3af"/>',
        f'<line x1="{left:.1f}" y1="{upper}" x2="{width - right:.1f}" y2="{upper}"'
        ' stroke="#e5e7eb"/>',
        f'<text x="{left - 6:.1f}" y="{upper + 4}" text-anchor="end">'
        f"{escape(_number(peak))}{unit}</text>",
        f'<text x="{left - 6:.1f}" y="{upper + plot_h + 4}" text-anchor="end">0</text>',
    ]
    lines: list[str] = []  # drawn under the points
    marks: list[str] = []
    segment: list[str] = []
    for i, (label, value) in enumerate(points):
        x = left + i * step
        marks.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{escape(label)}</text>'
        )
        if value is None:
            if len(segment) > 1:
                lines.append(_polyline(segment, colour))
            segment = []
            continue
        px, py = xy(i, value)
        segment.append(f"{px:.1f},{py:.1f}")
        if len(points) > 1 and i == 0:
            tx, anchor = px + 6, "start"
        elif len(points) > 1 and i == len(points) - 1:
            tx, anchor = px - 6, "end"
        else:
            tx, anchor = px, "middle"
        marks.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{colour}">'
            f"<title>{escape(f'{label}: {_number(value)}{unit}')}</title></circle>"
            f'<text x="{tx:.1f}" y="{py - 8:.1f}" text-anchor="{anchor}">'
            f"{escape(_number(value))}</text>"
        )
    if len(segment) > 1:
        lines.append(_polyline(segment, colour))
    body += lines + marks
    desc = "; ".join(f"{label}: {'—' if v is None else _number(v) + unit}" for label, v in points)
    return _svg(width, height, title, desc or "—", body)


def responsive(draw: Callable[..., SafeString], *args, **kwargs) -> SafeString:
    """The chart `draw(*args, **kwargs)` for a desk (and paper) and for a phone; the stylesheet
    (reports.css) shows one of the two."""
    wide = draw(*args, width=WIDTH, **kwargs).replace('class="chart"', 'class="chart wide"', 1)
    narrow = draw(*args, width=NARROW, **kwargs).replace('class="chart"', 'class="chart narrow"', 1)
    # Safe: both drawn above, where every text went through escape().
    return mark_safe(wide + narrow)


def _polyline(points: list[str], colour: str) -> str:
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>'
