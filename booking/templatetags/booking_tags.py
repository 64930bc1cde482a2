from django import template

from booking.fees import format_yuan

register = template.Library()

_STATUS_CLASS = {
    "open": "text-bg-info",
    "requested": "text-bg-warning",
    "proposed": "text-bg-warning",
    "accepted": "text-bg-success",
    "delivered": "text-bg-primary",
    "declined": "text-bg-secondary",
    "cancelled": "text-bg-secondary",
    "expired": "text-bg-light border text-muted",
}


@register.filter
def booking_status_class(status: str) -> str:
    """The Bootstrap badge class of a booking status."""
    return _STATUS_CLASS.get(status, "text-bg-light border")


@register.filter
def yuan(amount) -> str:
    """Money in 元 with two decimals: 1,500.00 元."""
    return format_yuan(amount)
