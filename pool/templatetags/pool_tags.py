from django import template

register = template.Library()

_STATUS_CLASS = {
    "recommended": "text-bg-info",
    "under_review": "text-bg-warning",
    "approved": "text-bg-primary",
    "appointed": "text-bg-success",
    "suspended": "text-bg-secondary",
    "removed": "text-bg-dark",
    "reserve": "text-bg-light border",
    "rejected": "text-bg-light border text-muted",
}


@register.filter
def status_class(status: str) -> str:
    """The Bootstrap badge class of an instructor status."""
    return _STATUS_CLASS.get(status, "text-bg-light border")


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (empty when missing)."""
    return mapping.get(key, []) if mapping else []
