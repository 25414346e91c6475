"""Small server-rendered SVG charts (no JavaScript, no external assets); colours come from console.css.

Every chart carries its numbers as text too (value labels and a <title>), so nothing depends on colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from markupsafe import Markup, escape

WIDTH = 640


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(height: int, title: str, body: list[str], css: str, width: int = 0) -> Markup:
    width = width or WIDTH
    return Markup(
        f'<svg class="chart {css}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def bar_chart(items: Sequence[tuple[str, float]], title: str) -> Markup:
    """Vertical bars, one per item (e.g. the five 好差评 grades, ticket categories)."""
    height, top, bottom, left = 240, 24, 48, 16
    plot_h = height - top - bottom
    peak = max([v for _, v in items] + [1])
    slot = (WIDTH - 2 * left) / max(len(items), 1)
    body = [f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{WIDTH - left}" y2="{top + plot_h}"/>']
    for i, (label, value) in enumerate(items):
        bar_h = plot_h * value / peak
        x = left + i * slot + slot * 0.2
        y = top + plot_h - bar_h
        body.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{bar_h:.1f}">'
            f"<title>{escape(label)}：{_num(value)}</title></rect>"
        )
        body.append(
            f'<text class="value" x="{x + slot * 0.3:.1f}" y="{y - 6:.1f}" text-anchor="middle">{_num(value)}</text>'
        )
        body.append(
            f'<text class="label" x="{x + slot * 0.3:.1f}" y="{height - bottom + 20}" text-anchor="middle">'
            f"{escape(_short(label, 8))}</text>"
        )
    return _svg(height, title, body, "bar-chart")


def hbar_chart(items: Sequence[tuple[str, float]], title: str) -> Markup:
    """Horizontal bars with long labels (departments, intents, services, unresolved questions)."""
    row, top, label_w = 28, 8, 250
    height = top * 2 + row * max(len(items), 1)
    peak = max([v for _, v in items] + [1])
    plot_w = WIDTH - label_w - 60
    body = []
    if not items:
        body.append(f'<text class="label" x="{WIDTH / 2}" y="{height / 2 + 5}" text-anchor="middle">暂无数据</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * row
        bar_w = plot_w * value / peak
        body.append(
            f'<text class="label" x="{label_w - 8}" y="{y + row * 0.65:.1f}" text-anchor="end">'
            f"{escape(_short(str(label), 18))}</text>"
        )
        body.append(
            f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{bar_w:.1f}" height="{row - 8}">'
            f"<title>{escape(str(label))}：{_num(value)}</title></rect>"
        )
        body.append(f'<text class="value" x="{label_w + bar_w + 6:.1f}" y="{y + row * 0.65:.1f}">{_num(value)}</text>')
    return _svg(height, title, body, "hbar-chart")


def line_chart(
    days: Sequence[tuple[date, float, float]], names: tuple[str, str], title: str, width: int = 1000
) -> Markup:
    """Two daily series (e.g. conversations and messages per day)."""
    height, top, bottom, left, right = 240, 28, 40, 40, 16
    plot_h, plot_w = height - top - bottom, width - left - right
    peak = max([max(a, b) for _, a, b in days] + [1])
    step = plot_w / max(len(days) - 1, 1)

    def points(index: Literal[1, 2]) -> str:
        return " ".join(
            f"{left + i * step:.1f},{top + plot_h - plot_h * day[index] / peak:.1f}" for i, day in enumerate(days)
        )

    body = [
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/>',
        f'<text class="label" x="{left - 6}" y="{top + 4}" text-anchor="end">{_num(peak)}</text>',
        f'<text class="label" x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    series: tuple[tuple[Literal[1, 2], str], ...] = ((1, "series-a"), (2, "series-b"))
    for index, css in series:
        body.append(f'<polyline class="line {css}" fill="none" points="{points(index)}"/>')
        for i, day in enumerate(days):
            body.append(
                f'<circle class="dot {css}" cx="{left + i * step:.1f}" '
                f'cy="{top + plot_h - plot_h * day[index] / peak:.1f}" r="3">'
                f"<title>{day[0].isoformat()} {escape(names[index - 1])}：{_num(day[index])}</title></circle>"
            )
    label_every = max(1, len(days) // 8)
    for i, day in enumerate(days):
        if i % label_every == 0 or i == len(days) - 1:
            body.append(
                f'<text class="label" x="{left + i * step:.1f}" y="{height - bottom + 18}" '
                f'text-anchor="middle">{day[0].month}/{day[0].day}</text>'
            )
    body.append(
        f'<rect class="legend series-a" x="{left}" y="6" width="12" height="12"/>'
        f'<text class="label" x="{left + 16}" y="16">{escape(names[0])}（实线）</text>'
        f'<rect class="legend series-b" x="{left + 160}" y="6" width="12" height="12"/>'
        f'<text class="label" x="{left + 176}" y="16">{escape(names[1])}（虚线）</text>'
    )
    return _svg(height, title, body, "line-chart", width)
