"""The pool's pages. Each view validates a form and calls one service, or renders a selector's result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.errors import DomainError
from orgs.models import Organization, User
from orgs.selectors import jurisdiction_of

from . import forms, services
from .exports import instructors_csv, instructors_xlsx
from .imports import HEADER, OPTIONAL, ImportRejected
from .models import Call, Category, Instructor, Level, Pool, Recommendation, RosterVersion, Suggestion, Topic
from .permissions import (
    ContactPolicy,
    can_edit_instructor,
    can_manage_pool,
    can_recommend_to_call,
    can_review_recommendation,
    can_view_instructor,
    can_view_pool,
)
from .recommender.pages import NeedForm, booking_url
from .recommender.ranking import instructor_recommend
from .registry import instructor_panels
from .rules import LEVEL_NAMES
from .selectors import (
    InstructorFilter,
    call_list,
    category_counts,
    combined_score,
    instructor_for_user,
    instructor_history,
    instructor_list,
    orgs_without_pool,
    pool_list,
    pool_list_public,
    pools_managed_by,
    recommendation_list,
    roster_entries,
    roster_list,
    sub_areas_by_category,
    suggestion_list,
    with_seat_use,
)
from .services import roster_preview


def _fail(form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names, or on the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _back(request, fallback: str):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _pool_or_404(request, pk: int, *, manage: bool = False) -> Pool:
    pool = get_object_or_404(Pool.objects.select_related("organization"), pk=pk)
    allowed = can_manage_pool(request.user, pool) if manage else can_view_pool(request.user, pool)
    if not allowed:
        raise PermissionDenied
    return pool


# --- public ----------------------------------------------------------------------------------------


def roster(request):
    """师资公开: active instructors by level, category and sub-area, with topics; no contact data."""
    filterset = InstructorFilter(request.GET or None, queryset=instructor_list(actor=None))
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else instructor_list(actor=None)
    if filterset.is_bound and not filterset.is_valid():
        messages.warning(request, _("Some filters were not understood and have been ignored."))
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pool/roster.html",
        {
            "page": page,
            "filters": request.GET,
            "query": query.urlencode(),
            "levels": [(value, LEVEL_NAMES[value]) for value in Level.values],
            "categories": Category.choices,
            "sub_areas": sub_areas_by_category(),
            "pools": pool_list_public(),
            "total": page.paginator.count,
        },
    )


def instructor_profile(request, pk: int):
    """An instructor's public profile: topics, level, category, lecture count; contact only if allowed."""
    instructor = get_object_or_404(
        Instructor.objects.select_related("pool", "pool__organization").prefetch_related("topics", "sub_areas"), pk=pk
    )
    if not can_view_instructor(request.user, instructor):
        raise Http404
    policy = ContactPolicy.for_user(request.user)
    ratings = instructor.rating_summaries.order_by("-year")[:3]
    return render(
        request,
        "pool/instructor_profile.html",
        {
            "instructor": instructor,
            "phone": policy.phone(instructor),
            "email": policy.email(instructor),
            "contact_visible": policy.allows(instructor),
            "can_manage": can_manage_pool(request.user, instructor.pool),
            "can_supervise": can_view_pool(request.user, instructor.pool),
            "ratings": ratings,
            "level_name": LEVEL_NAMES[instructor.pool.level],
        },
    )


def rosters(request):
    """The published roster documents (以文件形式公布), newest first."""
    qs = roster_list()
    pool_id = request.GET.get("pool")
    if pool_id and pool_id.isdigit():
        qs = qs.filter(pool_id=int(pool_id))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "pool/rosters.html", {"page": page, "pools": pool_list_public(), "pool_id": pool_id})


def roster_document(request, pk: int):
    """One published roster version, printable, with who was added or removed."""
    document = get_object_or_404(RosterVersion.objects.select_related("pool", "pool__organization"), pk=pk)
    entries = list(roster_entries(document))
    listed = [e for e in entries if e.change != e.Change.REMOVED]
    return render(
        request,
        "pool/roster_document.html",
        {
            "document": document,
            "listed": listed,
            "added": [e for e in entries if e.change == e.Change.ADDED],
            "removed": [e for e in entries if e.change == e.Change.REMOVED],
            "versions": document.pool.roster_versions.order_by("-version"),
        },
    )


# --- pool management ------------------------------------------------------------------------------


@login_required
def manage(request):
    """The pools the admin manages or supervises, with quota use; opening a missing pool."""
    j = jurisdiction_of(request.user)
    if not j.admin_paths and not j.is_superuser:
        raise PermissionDenied
    candidates = orgs_without_pool(request.user)
    create_form = forms.PoolCreateForm(request.POST or None, organizations=candidates)
    if request.method == "POST" and create_form.is_valid():
        try:
            pool = services.pool_create(organization=create_form.cleaned_data["organization"], actor=request.user)
        except DomainError as exc:
            _fail(create_form, exc)
        else:
            messages.success(request, _("The pool %(name)s is open.") % {"name": pool.name})
            return redirect("pool:pool", pk=pool.pk)
    pools = list(pool_list(actor=request.user))
    for pool in pools:
        pool.managed = can_manage_pool(request.user, pool)
    return render(
        request,
        "pool/manage.html",
        {"pools": pools, "create_form": create_form if candidates.exists() else None},
    )


@login_required
def pool_detail(request, pk: int):
    """A pool's page: quota use, instructors by status and category, intake, rosters, suggestions."""
    pool = _pool_or_404(request, pk)
    pool = with_seat_use(Pool.objects.filter(pk=pool.pk)).select_related("organization").get()
    managed = can_manage_pool(request.user, pool)
    form = forms.PoolForm(
        request.POST or None,
        initial={
            "name": pool.name,
            "quota_min": pool.quota_min,
            "quota_max": pool.quota_max,
            "doc_prefix": pool.doc_prefix,
        },
    )
    if request.method == "POST":
        if not managed:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.pool_update(pool=pool, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                _fail(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("pool:pool", pk=pool.pk)
    by_status = dict(pool.instructors.order_by().values_list("status").annotate(n=Count("id")))
    status_rows = [(value, label, by_status.get(value, 0)) for value, label in Instructor.Status.choices]
    active_by_category = category_counts(pool.instructors.filter(status=Instructor.Status.APPOINTED))
    category_rows = [(label, active_by_category.get(value, 0)) for value, label in Category.choices]
    return render(
        request,
        "pool/pool_detail.html",
        {
            "pool": pool,
            "managed": managed,
            "form": form,
            "status_rows": status_rows,
            "category_rows": category_rows,
            "calls": pool.calls.order_by("-created_at")[:5],
            "versions": pool.roster_versions.order_by("-version")[:5],
            "open_suggestions": pool.suggestions.filter(status=Suggestion.Status.OPEN).count(),
            "use_percent": min(100, round(100 * pool.seats / pool.quota_max)) if pool.quota_max else 100,
            "level_name": LEVEL_NAMES[pool.level],
        },
    )


@login_required
def pool_instructors(request, pk: int):
    """Every instructor of a pool, any status, for its admins and supervisors."""
    pool = _pool_or_404(request, pk)
    base = instructor_list(actor=request.user).filter(pool=pool)
    filterset = InstructorFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    policy = ContactPolicy.for_user(request.user)
    rows = [(i, policy.phone(i)) for i in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pool/pool_instructors.html",
        {
            "pool": pool,
            "page": page,
            "rows": rows,
            "filters": request.GET,
            "query": query.urlencode(),
            "statuses": Instructor.Status.choices,
            "categories": Category.choices,
            "managed": can_manage_pool(request.user, pool),
        },
    )


@login_required
def pool_export(request, pk: int):
    """The pool's instructors as .xlsx (or ``?format=csv``); ``?status=`` (default: active ones)."""
    pool = _pool_or_404(request, pk)
    statuses = request.GET.getlist("status") or [Instructor.Status.APPOINTED]
    if not set(statuses) <= set(Instructor.Status.values):
        raise Http404
    qs = instructor_list(actor=request.user).filter(pool=pool, status__in=statuses)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if request.GET.get("format") == "csv":
        response = HttpResponse(instructors_csv(qs, viewer=request.user), content_type="text/csv; charset=utf-8")
        filename = f"instructors-{pool.pk}-{stamp}.csv"
    else:
        response = HttpResponse(
            instructors_xlsx(qs, viewer=request.user, sheet_title=pool.name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"instructors-{pool.pk}-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def import_upload(request):
    """Upload an .xlsx or .csv of instructors; every problem is listed by row and column."""
    j = jurisdiction_of(request.user)
    if not j.admin_paths and not j.is_superuser:
        raise PermissionDenied
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors, result = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.instructors_import(
                data=upload.read(),
                filename=upload.name,
                actor=request.user,
                quota_override_reason=form.cleaned_data["override_reason"],
            )
        except ImportRejected as exc:
            errors = exc.errors
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Imported: %(created)s new instructors, %(updated)s updated.")
                % {"created": result.created, "updated": result.updated},
            )
    return render(
        request,
        "pool/import.html",
        {"form": form, "errors": errors, "result": result, "header": HEADER, "optional": OPTIONAL},
    )


@login_required
def roster_publish(request, pk: int):
    """组织聘任 · 以文件形式公布: preview the changes since the last version, then publish."""
    pool = _pool_or_404(request, pk, manage=True)
    form = forms.PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.roster_publish(pool=pool, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("Published as %(number)s.") % {"number": document.number})
            return redirect("pool:roster-document", pk=document.pk)
    return render(request, "pool/roster_publish.html", {"pool": pool, "form": form, "preview": roster_preview(pool)})


# --- one instructor (management) ------------------------------------------------------------------


def _managed_instructor(request, pk: int, *, manage: bool = False) -> Instructor:
    instructor = get_object_or_404(Instructor.objects.select_related("pool", "pool__organization", "user"), pk=pk)
    allowed = can_manage_pool(request.user, instructor.pool) if manage else can_view_pool(request.user, instructor.pool)
    if not allowed:
        raise PermissionDenied
    return instructor


@login_required
def manage_instructor(request, pk: int):
    """The full record: profile, contact (for the pool's admins), history, status moves, account."""
    instructor = _managed_instructor(request, pk)
    managed = can_manage_pool(request.user, instructor.pool)
    transition_form = forms.TransitionForm(instructor=instructor)
    appoint_form = forms.AppointForm()
    link_form = forms.LinkUserForm()
    if request.method == "POST":
        if not managed:
            raise PermissionDenied
        what = request.POST.get("action")
        try:
            if what == "transition":
                transition_form = forms.TransitionForm(request.POST, instructor=instructor)
                if transition_form.is_valid():
                    services.instructor_transition(
                        instructor=instructor,
                        actor=request.user,
                        to_status=transition_form.cleaned_data["status"],
                        reason=transition_form.cleaned_data["reason"],
                        override_reason=transition_form.cleaned_data["override_reason"],
                    )
                    messages.success(request, _("The status has been changed."))
                    return redirect("pool:manage-instructor", pk=pk)
            elif what == "appoint":
                appoint_form = forms.AppointForm(request.POST)
                if appoint_form.is_valid():
                    services.instructor_appoint(instructor=instructor, actor=request.user, **appoint_form.cleaned_data)
                    messages.success(request, _("Appointed. The letter can be printed."))
                    return redirect("pool:manage-instructor", pk=pk)
            elif what == "link":
                link_form = forms.LinkUserForm(request.POST)
                if link_form.is_valid():
                    user = User.objects.filter(username=link_form.cleaned_data["username"], is_active=True).first()
                    if user is None:
                        link_form.add_error("username", _("No such user."))
                    else:
                        services.instructor_link_user(instructor=instructor, actor=request.user, user=user)
                        messages.success(request, _("The account has been linked."))
                        return redirect("pool:manage-instructor", pk=pk)
        except DomainError as exc:
            target = {"transition": transition_form, "appoint": appoint_form, "link": link_form}.get(what)
            if target is None:
                raise
            _fail(target, exc)
    policy = ContactPolicy.for_user(request.user)
    recommendation = Recommendation.objects.filter(instructor=instructor).first()
    return render(
        request,
        "pool/manage_instructor.html",
        {
            "instructor": instructor,
            "managed": managed,
            "phone": policy.phone(instructor),
            "email": policy.email(instructor),
            "history": instructor_history(instructor),
            "topics": instructor.topics.all(),
            "sub_areas": instructor.sub_areas.all(),
            "transition_form": transition_form if transition_form.fields["status"].choices else None,
            "appoint_form": appoint_form
            if instructor.status in (Instructor.Status.APPROVED, Instructor.Status.RESERVE)
            else None,
            "link_form": link_form,
            "recommendation": recommendation,
            "level_name": LEVEL_NAMES[instructor.pool.level],
        },
    )


def _profile_page(request, instructor: Instructor, *, admin: bool, template: str, extra: dict):
    form = forms.InstructorProfileForm(
        request.POST if request.POST.get("action") == "profile" else None, instructor=instructor, admin=admin
    )
    # prefixed: the profile form has a "title" (职称) too, and ids must stay unique on the page
    topic_form = forms.TopicForm(request.POST if request.POST.get("action") == "topic" else None, prefix="new")
    if request.method == "POST" and request.POST.get("action") == "profile" and form.is_valid():
        try:
            services.instructor_update(instructor=instructor, actor=request.user, **form.changed())
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect(request.path)
    if request.method == "POST" and request.POST.get("action") == "topic" and topic_form.is_valid():
        try:
            services.topic_create(instructor=instructor, actor=request.user, **topic_form.cleaned_data)
        except DomainError as exc:
            _fail(topic_form, exc)
        else:
            messages.success(request, _("The topic has been added."))
            return redirect(request.path + "#topics")
    topics = [
        (t, forms.TopicForm(initial={"title": t.title, "abstract": t.abstract}, prefix=f"t{t.pk}"))
        for t in instructor.topics.all()
    ]
    return render(
        request,
        template,
        {"instructor": instructor, "form": form, "topic_form": topic_form, "topics": topics, **extra},
    )


@login_required
def instructor_edit(request, pk: int):
    """The pool's admin edits an instructor's profile and topics."""
    instructor = _managed_instructor(request, pk, manage=True)
    return _profile_page(request, instructor, admin=True, template="pool/instructor_edit.html", extra={})


@login_required
@require_POST
def topic_edit(request, pk: int):
    topic = get_object_or_404(Topic.objects.select_related("instructor", "instructor__pool"), pk=pk)
    if not can_edit_instructor(request.user, topic.instructor):
        raise PermissionDenied
    form = forms.TopicForm(request.POST, prefix=f"t{topic.pk}")
    if form.is_valid():
        try:
            services.topic_update(topic=topic, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The topic has been saved."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
    else:
        messages.error(request, _("The title is required."))
    return _back(request, reverse("pool:me"))


@login_required
@require_POST
def topic_delete(request, pk: int):
    topic = get_object_or_404(Topic.objects.select_related("instructor", "instructor__pool"), pk=pk)
    if not can_edit_instructor(request.user, topic.instructor):
        raise PermissionDenied
    services.topic_delete(topic=topic, actor=request.user)
    messages.success(request, _("The topic has been removed."))
    return _back(request, reverse("pool:me"))


@login_required
def letter(request, pk: int):
    """The appointment letter (聘书), printable; for the pool's admins and the instructor."""
    instructor = get_object_or_404(Instructor.objects.select_related("pool", "pool__organization"), pk=pk)
    if not (can_manage_pool(request.user, instructor.pool) or instructor.user_id == request.user.pk):
        raise PermissionDenied
    if not instructor.letter_number:
        raise Http404
    return render(
        request, "pool/letter.html", {"instructor": instructor, "level_name": LEVEL_NAMES[instructor.pool.level]}
    )


# --- the instructor's own page --------------------------------------------------------------------


@login_required
def me(request):
    """师资的权利: the instructor keeps profile and topics, sees ratings and fees, sends suggestions."""
    instructor = instructor_for_user(request.user)
    if instructor is None:
        raise PermissionDenied
    suggestion_form = forms.SuggestionForm(request.POST if request.POST.get("action") == "suggest" else None)
    if request.method == "POST" and request.POST.get("action") == "suggest" and suggestion_form.is_valid():
        try:
            services.suggestion_send(instructor=instructor, actor=request.user, **suggestion_form.cleaned_data)
        except DomainError as exc:
            _fail(suggestion_form, exc)
        else:
            messages.success(request, _("Your suggestion has been sent to the pool's admins."))
            return redirect(reverse("pool:me") + "#suggestions")
    return _profile_page(
        request,
        instructor,
        admin=False,
        template="pool/me.html",
        extra={
            "suggestion_form": suggestion_form,
            "suggestions": instructor.suggestions.select_related("answered_by").order_by("-created_at"),
            "ratings": instructor.rating_summaries.order_by("-year"),
            "panels": instructor_panels(instructor),
            "level_name": LEVEL_NAMES[instructor.pool.level],
        },
    )


@login_required
def suggestions(request):
    """Suggestions sent to the pools the admin manages, with a form to answer each open one."""
    qs = suggestion_list(actor=request.user)
    if request.method == "POST":
        suggestion = get_object_or_404(qs, pk=request.POST.get("suggestion"))
        form = forms.AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.suggestion_answer(suggestion=suggestion, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("The answer has been sent."))
        else:
            messages.error(request, _("Write the answer."))
        return redirect("pool:suggestions")
    show = request.GET.get("status", Suggestion.Status.OPEN)
    if show in Suggestion.Status.values:
        qs = qs.filter(status=show)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "pool/suggestions.html", {"page": page, "show": show, "statuses": Suggestion.Status.choices})


# --- intake ----------------------------------------------------------------------------------------


@login_required
def calls(request):
    """师资征集: calls of the admin's pools, calls to review, open calls to recommend to."""
    page = Paginator(call_list(actor=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "pool/calls.html", {"page": page, "managed_pools": list(_managed_pools(request.user))})


def _managed_pools(user):
    return pools_managed_by(user).select_related("organization")


@login_required
def call_create(request, pk: int):
    pool = _pool_or_404(request, pk, manage=True)
    form = forms.CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        names = form.reviewer_names()
        reviewers = list(User.objects.filter(username__in=names, is_active=True))
        missing = sorted(set(names) - {u.username for u in reviewers})
        if missing:
            form.add_error("reviewers", _("Unknown user names: %(names)s") % {"names": ", ".join(missing)})
        else:
            data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("count_") and k != "reviewers"}
            try:
                call = services.call_create(
                    pool=pool, actor=request.user, category_counts=form.category_counts(), reviewers=reviewers, **data
                )
            except DomainError as exc:
                _fail(form, exc)
            else:
                messages.success(request, _("The call has been published."))
                return redirect("pool:call", pk=call.pk)
    return render(request, "pool/call_form.html", {"pool": pool, "form": form})


@login_required
def call_detail(request, pk: int):
    call = get_object_or_404(call_list(actor=request.user), pk=pk)
    managed = can_manage_pool(request.user, call.pool)
    reviewers_form = forms.ReviewersForm(
        request.POST if request.POST.get("action") == "reviewers" else None,
        initial={"reviewers": " ".join(call.reviewers.values_list("username", flat=True))},
    )
    if request.method == "POST":
        if not managed:
            raise PermissionDenied
        what = request.POST.get("action")
        try:
            if what == "close":
                services.call_close(call=call, actor=request.user)
                messages.success(request, _("The call is closed."))
                return redirect("pool:call", pk=pk)
            if what == "start_review":
                moved = services.call_review_start(call=call, actor=request.user)
                messages.success(request, _("%(n)s candidates sent to the reviewers.") % {"n": moved})
                return redirect("pool:call", pk=pk)
            if what == "reviewers" and reviewers_form.is_valid():
                names = reviewers_form.reviewer_names()
                users = list(User.objects.filter(username__in=names, is_active=True))
                missing = sorted(set(names) - {u.username for u in users})
                if missing:
                    reviewers_form.add_error(
                        "reviewers", _("Unknown user names: %(names)s") % {"names": ", ".join(missing)}
                    )
                else:
                    services.call_reviewers_set(call=call, actor=request.user, reviewers=users)
                    messages.success(request, _("Saved."))
                    return redirect("pool:call", pk=pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
    recommendations = list(recommendation_list(actor=request.user, call=call))
    for rec in recommendations:
        rec.combined = combined_score(rec)
    return render(
        request,
        "pool/call_detail.html",
        {
            "call": call,
            "managed": managed,
            "can_recommend": can_recommend_to_call(request.user, call),
            "recommendations": recommendations,
            "reviewers": call.reviewers.all(),
            "reviewers_form": reviewers_form,
            "recommended_waiting": sum(
                1 for r in recommendations if r.instructor.status == Instructor.Status.RECOMMENDED
            ),
        },
    )


def _recommending_orgs(user, call: Call):
    """The organizations the user serves (admin or secretary) inside the call's pool organization."""
    j = jurisdiction_of(user)
    ids = {pk for role in ("org_admin", "secretary") for pk in j.org_ids(role)}
    return (
        Organization.objects.filter(pk__in=ids)
        .filter(Organization.subtree_q(call.pool.organization.path))
        .order_by("path")
    )


@login_required
def recommend(request, pk: int):
    """推荐报名: recommend a candidate against an open call, with the candidate's consent."""
    call = get_object_or_404(call_list(actor=request.user).select_related("pool__organization"), pk=pk)
    if not can_recommend_to_call(request.user, call):
        raise PermissionDenied
    organizations = _recommending_orgs(request.user, call)
    form = forms.RecommendForm(request.POST or None, organizations=organizations, categories=call.category_counts)
    topics = forms.TopicFormSet(request.POST or None, prefix="topics")
    if request.method == "POST" and form.is_valid() and topics.is_valid():
        topic_list = [t.cleaned_data for t in topics if t.cleaned_data.get("title")]
        try:
            recommendation = services.recommendation_create(
                call=call,
                actor=request.user,
                recommending_org=form.cleaned_data["recommending_org"],
                candidate=form.candidate(),
                topics=topic_list,
                reason=form.cleaned_data["reason"],
                consent_given=form.cleaned_data["consent_given"],
                consent_method=form.cleaned_data["consent_method"],
                consent_date=form.cleaned_data["consent_date"],
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("The recommendation has been sent."))
            return redirect("pool:recommendation", pk=recommendation.pk)
    return render(request, "pool/recommend.html", {"call": call, "form": form, "topics": topics})


@login_required
def recommendation_detail(request, pk: int):
    """审核评定: the candidate, the consent, the reviewers' scores and the admin's decision."""
    recommendation = get_object_or_404(recommendation_list(actor=request.user), pk=pk)
    call = recommendation.call
    instructor = recommendation.instructor
    managed = can_manage_pool(request.user, call.pool)
    is_reviewer = can_review_recommendation(request.user, recommendation)
    own = next((r for r in recommendation.reviews.all() if r.reviewer_id == request.user.pk), None)
    review_form = forms.ReviewForm(
        request.POST if request.POST.get("action") == "review" else None,
        initial=(
            {
                "score_basic": own.score_basic,
                "score_teaching": own.score_teaching,
                "score_research": own.score_research,
                "comment": own.comment,
            }
            if own
            else None
        ),
    )
    decision_form = forms.DecisionForm(request.POST if request.POST.get("action") == "decide" else None)
    appoint_form = forms.AppointForm(request.POST if request.POST.get("action") == "appoint" else None)
    if request.method == "POST":
        what = request.POST.get("action")
        try:
            if what == "review" and review_form.is_valid():
                services.review_submit(recommendation=recommendation, reviewer=request.user, **review_form.cleaned_data)
                messages.success(request, _("Your scores have been saved."))
                return redirect("pool:recommendation", pk=pk)
            if what == "decide" and decision_form.is_valid():
                services.recommendation_decide(
                    recommendation=recommendation, actor=request.user, **decision_form.cleaned_data
                )
                messages.success(request, _("The decision has been recorded."))
                return redirect("pool:recommendation", pk=pk)
            if what == "start_review":
                if not managed:
                    raise PermissionDenied
                services.call_review_start(call=call, actor=request.user)
                return redirect("pool:recommendation", pk=pk)
            if what == "appoint" and appoint_form.is_valid():
                services.instructor_appoint(instructor=instructor, actor=request.user, **appoint_form.cleaned_data)
                messages.success(request, _("Appointed. The letter can be printed."))
                return redirect("pool:recommendation", pk=pk)
        except DomainError as exc:
            target = {"review": review_form, "decide": decision_form, "appoint": appoint_form}.get(what)
            if target is None:
                messages.error(request, str(exc.message))
            else:
                _fail(target, exc)
    instructor.refresh_from_db()
    see_reviews = managed or is_reviewer or can_view_pool(request.user, call.pool)
    return render(
        request,
        "pool/recommendation.html",
        {
            "rec": recommendation,
            "call": call,
            "instructor": instructor,
            "topics": instructor.topics.all(),
            "managed": managed,
            "is_reviewer": is_reviewer and instructor.status == Instructor.Status.UNDER_REVIEW,
            "reviews": recommendation.reviews.select_related("reviewer") if see_reviews else [],
            "see_reviews": see_reviews,
            "combined": combined_score(recommendation),
            "review_form": review_form,
            "decision_form": decision_form if managed and instructor.status == Instructor.Status.UNDER_REVIEW else None,
            "appoint_form": (
                appoint_form
                if managed and instructor.status in (Instructor.Status.APPROVED, Instructor.Status.RESERVE)
                else None
            ),
            "can_start_review": managed and instructor.status == Instructor.Status.RECOMMENDED,
            "phone": ContactPolicy.for_user(request.user).phone(instructor),
        },
    )


# --- the recommender -------------------------------------------------------------------------------


@login_required
def recommend_instructors(request):
    """为我推荐: a need in the members' own words → the ten instructors who fit best, each with why,
    and a link that starts the booking request with the instructor, the need and the date."""
    form = NeedForm(request.GET if "q" in request.GET else None, user=request.user)
    result, rows = None, []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = instructor_recommend(actor=request.user, need=data["q"], k=10, branch=data["branch"], day=data["date"])
        rows = [(item, booking_url(result, item)) for item in result.results]
    return render(request, "pool/recommender.html", {"form": form, "result": result, "rows": rows})
