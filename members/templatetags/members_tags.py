from django import template

from orgs.selectors import jurisdiction_of

register = template.Library()


@register.simple_tag(takes_context=True)
def has_role(context, role: str) -> bool:
    """True when the current user holds ``role`` (uses the jurisdiction cached for the request)."""
    user = context["request"].user
    return user.is_authenticated and jurisdiction_of(user).has_role(role)
