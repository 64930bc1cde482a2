from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services
from .selectors import inbox as inbox_qs


@login_required
def inbox(request):
    page = Paginator(inbox_qs(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request):
    ids = request.POST.getlist("id")
    services.inbox_mark_read(user=request.user, delivery_ids=[int(i) for i in ids if i.isdigit()] if ids else None)
    return redirect("notifications:inbox")
