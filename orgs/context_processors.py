from django.conf import settings
from django.urls import NoReverseMatch, reverse

from notifications.selectors import unread_count

from .registry import NAV_ITEMS
from .selectors import jurisdiction_of


def navigation(request):
    """The navigation links the current user may follow, and the unread notification count."""
    user = request.user
    items = []
    j = jurisdiction_of(user) if user.is_authenticated else None
    for item in NAV_ITEMS:
        if not user.is_authenticated and not item.public:
            continue
        if user.is_authenticated and item.roles and not any(j.has_role(r) for r in item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "active": False})
    # Only the most specific link is highlighted (/pool/ must not light up on /pool/manage/ too).
    matches = [i for i in items if i["url"] != "/" and request.path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {
        "nav_items": items,
        "site_name": settings.SITE_NAME,
        "demo_mode": settings.DEMO_MODE,
        "unread_notifications": unread_count(user) if user.is_authenticated else 0,
    }
