"""Charts for the console, drawn here as SVG text (no script, no external file): an indicator's path from 現状値
through each round to 目標値, and simple bars for counts per day. Labels are escaped; only presentation
attributes are used, so the console's Content-Security-Policy (no inline style) holds."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 56, 20, 46
COLORS = {"baseline": "#6B7280", "round": "#1565C0", "target": "#2E7D32"}


@dataclass
class Point:
    """One point of an indicator's path: 現状値, a round, or 目標値."""

    label: str
    value: float
    kind: str  # baseline | round | target
    low: float | None = None
    high: float | None = None


def _scale(values: list[float]) -> tuple[float, float]:
    """A value range with some room above and below."""
    low, high = min(values), max(values)
    if high == low:
        high, low = high + 1, low - 1
    room = (high - low) * 0.15
    return low - room, high + room


def _y(value: float, low: float, high: float) -> float:
    """The SVG y of a value."""
    inner = HEIGHT - PAD_TOP - PAD_BOTTOM
    return PAD_TOP + inner * (1 - (value - low) / (high - low))


def _text(x: float, y: float, content: str, anchor: str = "middle", size: int = 12, fill: str = "#222") -> str:
    """An escaped SVG text element."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">'
            f"{escape(content)}</text>")


def _open(title: str) -> list[str]:
    """The SVG element, its accessible title and a white background."""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'class="chart" aria-label="{escape(title)}">', f"<title>{escape(title)}</title>",
            f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>']


def _grid(low: float, high: float, digits: int) -> list[str]:
    """Five horizontal guide lines with their values on the left."""
    parts = []
    for tick in range(5):
        value = low + (high - low) * tick / 4
        y = _y(value, low, high)
        parts.append(f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y:.1f}" stroke="#E5E7EB"/>')
        parts.append(_text(PAD_LEFT - 6, y + 4, f"{value:.{digits}f}", anchor="end", size=11, fill="#555"))
    return parts


def indicator_chart(points: list[Point], unit: str, title: str) -> Markup:
    """現状値 → rounds → 目標値 as a line with dots and values; rounds carry their 95 % interval as a bar."""
    if not points:
        return Markup("")
    values = [p.value for p in points] + [v for p in points for v in (p.low, p.high) if v is not None]
    low, high = _scale(values)
    step = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(1, len(points) - 1) if len(points) > 1 else 0
    xs = [PAD_LEFT + (i * step if len(points) > 1 else (WIDTH - PAD_LEFT - PAD_RIGHT) / 2) for i in range(len(points))]
    parts = _open(title) + _grid(low, high, 1)
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{_y(p.value, low, high):.1f}" for i, (x, p) in enumerate(zip(xs, points)))
    parts.append(f'<path d="{path}" fill="none" stroke="#90A4AE" stroke-width="2" stroke-dasharray="4 3"/>')
    for x, p in zip(xs, points):
        color = COLORS.get(p.kind, "#1565C0")
        y = _y(p.value, low, high)
        if p.low is not None and p.high is not None:
            parts.append(f'<line x1="{x:.1f}" y1="{_y(p.low, low, high):.1f}" x2="{x:.1f}" '
                         f'y2="{_y(p.high, low, high):.1f}" stroke="{color}" stroke-width="2"/>')
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{color}"><title>{escape(p.label)}: '
                     f"{p.value:.1f} {escape(unit)}</title></circle>")
        parts.append(_text(x, y - 12, f"{p.value:.1f}", size=12, fill=color))
        parts.append(_text(x, HEIGHT - PAD_BOTTOM + 18, p.label, size=11))
    parts.append(_text(PAD_LEFT, HEIGHT - 8, unit, anchor="start", size=11, fill="#555"))
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(values: list[tuple[str, int]], title: str, color: str = "#1565C0") -> Markup:
    """Counts per label (per day) as bars, every seventh label written under its bar."""
    if not values:
        return Markup("")
    top = max(max(v for _label, v in values), 1)
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    width = inner_w / len(values)
    parts = _open(title) + _grid(0, top, 0)
    for i, (label, value) in enumerate(values):
        x = PAD_LEFT + i * width
        y = _y(value, 0, top)
        parts.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(width - 2, 1):.1f}" '
                     f'height="{HEIGHT - PAD_BOTTOM - y:.1f}" fill="{color}"><title>{escape(label)}: {value}</title></rect>')
        if i % 7 == 0 or i == len(values) - 1:
            parts.append(_text(x + width / 2, HEIGHT - PAD_BOTTOM + 18, label, size=11))
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(values: list[tuple[str, int]], title: str) -> Markup:
    """A count over days as a line (followers over time), every fourteenth day labelled."""
    if not values:
        return Markup("")
    numbers = [v for _label, v in values]
    low, high = _scale(numbers)
    low = max(0.0, low)
    step = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(1, len(values) - 1)
    parts = _open(title) + _grid(low, high, 0)
    path = " ".join(f"{'M' if i == 0 else 'L'}{PAD_LEFT + i * step:.1f},{_y(v, low, high):.1f}"
                    for i, (_label, v) in enumerate(values))
    parts.append(f'<path d="{path}" fill="none" stroke="#1565C0" stroke-width="2"/>')
    for i, (label, _v) in enumerate(values):
        if i % 14 == 0 or i == len(values) - 1:
            parts.append(_text(PAD_LEFT + i * step, HEIGHT - PAD_BOTTOM + 18, label, size=11))
    parts.append(_text(WIDTH - PAD_RIGHT, PAD_TOP + 4, f"{values[-1][1]}", anchor="end", size=13, fill="#1565C0"))
    parts.append("</svg>")
    return Markup("".join(parts))
