from django.db.models import QuerySet

from .models import Delivery


def inbox(user) -> QuerySet[Delivery]:
    """The user's delivered in-app notifications, newest first."""
    return (
        Delivery.objects.filter(recipient=user, channel="inapp", status=Delivery.Status.SENT)
        .select_related("notification")
        .order_by("-notification__created_at", "-id")
    )


def unread_count(user) -> int:
    return inbox(user).filter(read_at__isnull=True).count()
