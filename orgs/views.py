from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.utils.translation import gettext

from .models import Organization
from .permissions import can_view_org
from .registry import NAV_ITEMS, TODO_PROVIDERS
from .selectors import jurisdiction_of, org_children, org_list


def home(request):
    """A to-do list for the roles the user holds; anonymous visitors see the public entry points."""
    if not request.user.is_authenticated:
        public_links = [item for item in NAV_ITEMS if item.public]
        return render(request, "orgs/landing.html", {"public_links": public_links})
    groups: dict[str, list] = {}
    for provider in TODO_PROVIDERS:
        for item in provider(request.user):
            groups.setdefault(str(item.group), []).append(item)
    roles = request.user.roles.filter(is_active=True).select_related("organization").order_by("role")
    return render(request, "orgs/home.html", {"todo_groups": groups, "roles": roles})


@login_required
def org_tree(request, pk: int | None = None):
    """Drill down the organizations in the user's jurisdiction, one level at a time."""
    j = jurisdiction_of(request.user)
    if pk is None:
        tops = org_list(actor=request.user).filter(path__in=j.paths) if not j.is_superuser else None
        if j.is_superuser:
            tops = Organization.objects.filter(depth=1)
        return render(request, "orgs/tree.html", {"org": None, "children": tops, "lineage": []})
    org = get_object_or_404(Organization, pk=pk)
    if not can_view_org(request.user, org):
        raise PermissionDenied
    lineage = [o for o in org.lineage(include_self=False) if can_view_org(request.user, o)]
    return render(request, "orgs/tree.html", {"org": org, "children": org_children(org), "lineage": lineage})


# --- error pages: JSON under /api/, Chinese pages elsewhere -------------------------------------


def _api_error(request, status: int, detail: str, code: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "code": code}, status=status)
    return None


def bad_request(request, exception=None):
    return _api_error(request, 400, gettext("Bad request."), "bad_request") or render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return _api_error(request, 403, gettext("You do not have permission to perform this action."), "forbidden") or (
        render(request, "403.html", status=403)
    )


def page_not_found(request, exception=None):
    return _api_error(request, 404, gettext("Not found."), "not_found") or render(request, "404.html", status=404)


def server_error(request):
    # No template context processors here: the error may come from them.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Server error."), "code": "server_error"}, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render())
