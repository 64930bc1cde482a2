from django import template

from evaluation.rules import mean_of

register = template.Library()

_OUTCOME_CLASS = {
    "reward": "text-bg-success",
    "keep": "text-bg-light border",
    "warn": "text-bg-warning",
    "remove": "text-bg-danger",
    "promote": "text-bg-primary",
    "stay_reserve": "text-bg-light border text-muted",
}
_RUN_CLASS = {
    "queued": "text-bg-secondary",
    "computing": "text-bg-info",
    "proposed": "text-bg-warning",
    "confirmed": "text-bg-success",
    "failed": "text-bg-danger",
}


@register.filter
def mean_rating(total, count) -> str:
    """The mean of ``count`` ratings whose three scores add up to ``total``: 4.27, or — without ratings."""
    value = mean_of(int(total or 0), int(count or 0))
    return "—" if value is None else f"{value:.2f}"


@register.filter
def score(value) -> str:
    return "—" if value is None else f"{float(value):.2f}"


@register.filter
def outcome_class(outcome: str) -> str:
    return _OUTCOME_CLASS.get(outcome, "text-bg-light border")


@register.filter
def run_status_class(status: str) -> str:
    return _RUN_CLASS.get(status, "text-bg-light border")


@register.filter
def get_count(counts: dict, key) -> int:
    return (counts or {}).get(key, 0)


@register.filter
def get_label(labels: dict, key) -> str:
    return (labels or {}).get(key, key)


@register.filter
def run_status_label(status: str) -> str:
    from evaluation.models import EvaluationRun

    return str(dict(EvaluationRun.Status.choices).get(status, status))
