"""The score distribution of a yearly run, drawn on the server as SVG (no script, no CDN, prints well)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

LOW, HIGH, STEP = Decimal(1), Decimal(5), Decimal("0.25")
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 50, 40

COLOURS = {"remove": "#b71c1c", "warn": "#d99100", "reward": "#2e7d32", "keep": "#8d99a6"}


@dataclass(frozen=True)
class Bin:
    low: Decimal
    high: Decimal
    count: int
    zone: str


def bins(scores: Sequence[Decimal], *, remove_below: Decimal, warn_below: Decimal, reward_from=None) -> list[Bin]:
    """Counts of scores in [1, 1.25), [1.25, 1.5) … [4.75, 5], each with the zone of its lower edge."""
    edges = []
    low = LOW
    while low < HIGH:
        edges.append(low)
        low += STEP
    counts = [0] * len(edges)
    for score in scores:
        index = min(int((Decimal(score) - LOW) / STEP), len(edges) - 1)
        counts[max(index, 0)] += 1
    result = []
    for low, count in zip(edges, counts, strict=True):
        high = low + STEP
        if high <= remove_below:
            zone = "remove"
        elif high <= warn_below:
            zone = "warn"
        elif reward_from is not None and low >= reward_from:
            zone = "reward"
        else:
            zone = "keep"
        result.append(Bin(low, high, count, zone))
    return result


def _x(score: Decimal) -> float:
    return LEFT + float((Decimal(score) - LOW) / (HIGH - LOW)) * (WIDTH - LEFT - RIGHT)


def distribution_svg(
    scores: Sequence[Decimal], *, remove_below: Decimal, warn_below: Decimal, reward_from: Decimal | None = None
) -> SafeString:
    """A histogram of the adjusted scores with the removal and warning lines (and the reward cut-off)."""
    data = bins(scores, remove_below=remove_below, warn_below=warn_below, reward_from=reward_from)
    peak = max([b.count for b in data] + [1])
    plot_h = HEIGHT - TOP - BOTTOM
    bar_w = (WIDTH - LEFT - RIGHT) / len(data)
    parts = [
        f'<svg class="score-chart" id="score-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{escape(_("Distribution of the adjusted scores"))}" xmlns="http://www.w3.org/2000/svg" '
        'font-size="12" font-family="sans-serif">',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#555"/>',
    ]
    for tick in range(0, peak + 1, max(1, peak // 4)):
        y = TOP + plot_h - tick / peak * plot_h
        parts.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{tick}</text>')
    for i, b in enumerate(data):
        h = b.count / peak * plot_h
        x = LEFT + i * bar_w
        title = _("%(low)s–%(high)s: %(n)s instructors") % {
            "low": f"{b.low:.2f}",
            "high": f"{b.high:.2f}",
            "n": b.count,
        }
        parts.append(
            f'<rect class="bar bar-{b.zone}" x="{x + 1:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{h:.1f}" fill="{COLOURS[b.zone]}" data-count="{b.count}"><title>{escape(title)}</title></rect>'
        )
    for whole in range(1, 6):
        x = _x(Decimal(whole))
        parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" fill="#555">{whole}</text>')
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" fill="#333">'
        f"{escape(_('adjusted score'))}</text>"
    )
    lines = [
        (remove_below, COLOURS["remove"], _("removal below %(v)s") % {"v": f"{remove_below:.2f}"}, "line-remove"),
        (warn_below, COLOURS["warn"], _("warning below %(v)s") % {"v": f"{warn_below:.2f}"}, "line-warn"),
    ]
    if reward_from is not None:
        lines.append(
            (reward_from, COLOURS["reward"], _("reward from %(v)s") % {"v": f"{reward_from:.2f}"}, "line-reward")
        )
    for n, (value, colour, label, css) in enumerate(lines):
        x = _x(value)
        anchor = "end" if x > WIDTH * 0.75 else "start"
        dx = -4 if anchor == "end" else 4
        parts.append(
            f'<line class="threshold {css}" x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{TOP + plot_h}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="5 4"/>'
        )
        parts.append(
            f'<text x="{x + dx:.1f}" y="{12 + n * 13}" text-anchor="{anchor}" fill="{colour}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
