from django import template

from orgs.selectors import jurisdiction_of

register = template.Library()


@register.simple_tag(takes_context=True)
def activity_role(context, role: str) -> bool:
    """True when the current user holds ``role`` (uses the jurisdiction cached for the request)."""
    user = context["request"].user
    return user.is_authenticated and jurisdiction_of(user).has_role(role)


@register.filter
def percent(value) -> str:
    """0.9234 → 92.3%; nothing to count → —."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def status_class(status: str) -> str:
    return {"present": "success", "excused": "warning", "absent": "danger"}.get(status, "secondary")
