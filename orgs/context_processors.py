from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from notifications.selectors import unread_count

from .registry import NAV_ITEMS
from .selectors import jurisdiction_of

# Links of one area of the site sit under one menu when a user has more than one of them.
NAV_GROUPS = {
    "pool": _("Instructor pool"),
    "booking": _("Lectures"),
    "evaluation": _("Ratings"),
    "members": _("Party members"),
    "records": _("Party members"),
    "activity": _("Activity day"),
}


def _visible_items(request) -> list[dict]:
    user = request.user
    j = jurisdiction_of(user) if user.is_authenticated else None
    items = []
    for item in NAV_ITEMS:
        if not user.is_authenticated and not item.public:
            continue
        if user.is_authenticated and item.roles and not any(j.has_role(r) for r in item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        namespace = item.url_name.split(":")[0] if ":" in item.url_name else ""
        items.append({"label": item.label, "url": url, "active": False, "group": NAV_GROUPS.get(namespace)})
    # Only the most specific link is highlighted (/pool/ must not light up on /pool/manage/ too).
    matches = [i for i in items if i["url"] != "/" and request.path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items


def _grouped(items: list[dict]) -> list[dict]:
    """Top-level entries in order: a link, or a menu of the links of one area."""
    entries: list[dict] = []
    menus: dict[str, dict] = {}
    for item in items:
        group = item["group"]
        if group is None:
            entries.append(item)
            continue
        key = str(group)
        if key not in menus:
            menus[key] = {"label": group, "children": [], "active": False}
            entries.append(menus[key])
        menus[key]["children"].append(item)
        menus[key]["active"] |= item["active"]
    return [e["children"][0] if "children" in e and len(e["children"]) == 1 else e for e in entries]


def navigation(request):
    """The navigation the current user may follow, and the unread notification count."""
    user = request.user
    return {
        "nav_items": _grouped(_visible_items(request)),
        "site_name": settings.SITE_NAME,
        "demo_mode": settings.DEMO_MODE,
        "unread_notifications": unread_count(user) if user.is_authenticated else 0,
    }
