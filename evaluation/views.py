"""The evaluation pages. Each view validates a form and calls one service, or renders a selector's result."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Avg
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orgs.errors import DomainError
from orgs.models import Role
from orgs.selectors import jurisdiction_of
from pool.models import Instructor
from pool.selectors import instructor_for_user, pool_list, pools_managed_by

from . import conf, forms, services
from .charts import distribution_svg
from .exports import run_workbook
from .models import EvaluationRun, Outcome, Proposal, RatingWindow
from .permissions import (
    can_manage_links,
    can_rate_as_branch,
    can_run_evaluation,
    can_see_raters,
    can_view_lecture_ratings,
    check_rater,
)
from .qr import qr_svg
from .selectors import (
    branch_lectures,
    eligible_raters,
    incident_list,
    incidents_for_run,
    instructor_ratings,
    instructor_summary,
    instructor_years,
    link_by_token,
    links_of,
    member_for_user,
    open_windows_for_member,
    pool_mean_for,
    pool_summaries,
    proposal_counts,
    proposals_of,
    ratings_by_member,
    run_get,
    run_list,
    with_counts,
)


def _fail(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _window(booking_id: int) -> RatingWindow:
    return get_object_or_404(
        RatingWindow.objects.select_related(
            "booking", "booking__branch", "instructor", "instructor__pool", "instructor__user", "branch"
        ),
        booking_id=booking_id,
    )


def _year(request, default: int) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else default


def _formula_context() -> dict:
    return {"prior_weight": conf.prior_weight()}


# --- members: rate a lecture ----------------------------------------------------------------------


@login_required
def index(request):
    """A member's lectures open for rating and the ratings given; other roles go to their own page."""
    member = member_for_user(request.user)
    if member is None:
        j = jurisdiction_of(request.user)
        if j.org_ids(Role.SECRETARY):
            return redirect("evaluation:lectures")
        if j.org_ids(Role.INSTRUCTOR) and instructor_for_user(request.user) is not None:
            return redirect("evaluation:me")
        if j.org_ids(Role.ORG_ADMIN):
            return redirect("evaluation:runs")
    return render(
        request,
        "evaluation/index.html",
        {
            "member": member,
            "windows": open_windows_for_member(member),
            "ratings": ratings_by_member(member)[:30],
        },
    )


def _rating_page(request, window: RatingWindow, *, as_branch: bool = False, link=None):
    check = check_rater(window, request.user, as_branch=as_branch, link=link)
    form = forms.RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and check.refusal is None and form.is_valid():
        try:
            services.rating_submit(
                booking=window.booking,
                actor=request.user,
                as_branch=as_branch,
                token=link.token if link is not None else "",
                **form.cleaned_data,
            )
        except DomainError as exc:
            _fail(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if link is not None:
                return render(request, "evaluation/thanks.html", {"window": window})
            messages.success(request, _("Thank you: your rating has been recorded."))
            if as_branch:
                return redirect("evaluation:lecture", booking_id=window.booking_id)
            return redirect("evaluation:index")
    if link is not None:
        rule = _("One-time link handed out by the branch")
    elif as_branch:
        rule = _("The branch's own rating, given by its secretary")
    else:
        rule = eligible_raters(window.booking).rule_label
    refusal = check.refusal
    return render(
        request,
        "evaluation/rate.html",
        {
            "window": window,
            "booking": window.booking,
            "form": form,
            "refusal": refusal,
            "rule": rule,
            "as_branch": as_branch,
            "link": link,
            "is_open": window.is_open(),
        },
        status=403 if refusal is not None and not refusal.conflict else 200,
    )


@login_required
def rate(request, booking_id: int):
    """Rate a lecture as a member who attended it, or (``?as=branch``) as its branch."""
    window = _window(booking_id)
    as_branch = (request.POST.get("as") or request.GET.get("as")) == "branch"
    return _rating_page(request, window, as_branch=as_branch)


def link_rate(request, token: str):
    """Rate a lecture with a one-time link (a QR code handed out in the meeting room): no log-in."""
    link = link_by_token(token)
    if link is None:
        raise Http404
    return _rating_page(request, link.window, link=link)


# --- the branch: its lectures, its rating, its links ----------------------------------------------


@login_required
def lectures(request):
    """The lectures of the secretary's branches: ratings so far, the branch's own rating, links."""
    j = jurisdiction_of(request.user)
    if not (j.org_ids(Role.SECRETARY) or j.is_superuser):
        raise PermissionDenied
    qs = branch_lectures(actor=request.user, filters=request.GET)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "evaluation/lectures.html",
        {"page": page, "query": query.urlencode(), "only_open": request.GET.get("open") == "1", "now": timezone.now()},
    )


@login_required
def lecture(request, booking_id: int):
    """One lecture's ratings: the branch side, admins above it, the instructor and the pool's admins."""
    window = get_object_or_404(
        with_counts(RatingWindow.objects.select_related("booking", "branch", "instructor", "instructor__pool")),
        booking_id=booking_id,
    )
    if not can_view_lecture_ratings(request.user, window.booking):
        raise Http404
    ratings = window.ratings.select_related("member", "link", "submitted_by").order_by("-created_at", "-id")
    means = ratings.aggregate(content=Avg("content"), delivery=Avg("delivery"), practical=Avg("practical"))
    page = Paginator(ratings, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/lecture.html",
        {
            "window": window,
            "booking": window.booking,
            "page": page,
            "means": means,
            "mean": (Decimal(window.rating_total) / (3 * window.rating_count)).quantize(Decimal("0.01"))
            if window.rating_count
            else None,
            "show_raters": can_see_raters(request.user, window.instructor),
            "is_branch": can_rate_as_branch(request.user, window.booking),
            "is_open": window.is_open(),
            "rule": eligible_raters(window.booking).rule_label,
        },
    )


@login_required
def links(request, booking_id: int):
    """The secretary decides how many one-time links to print for attendees without an account."""
    window = get_object_or_404(
        with_counts(RatingWindow.objects.select_related("booking", "branch")), booking_id=booking_id
    )
    if not can_manage_links(request.user, window.booking):
        raise Http404
    form = forms.LinksForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.rating_links_create(
                booking=window.booking, actor=request.user, count=form.cleaned_data["count"]
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("%(n)s one-time links generated.") % {"n": len(created)})
            return redirect(reverse("evaluation:links-print", args=[booking_id]) + f"?from={created[0].serial}")
    return render(
        request,
        "evaluation/links.html",
        {
            "window": window,
            "booking": window.booking,
            "form": form,
            "max_links": conf.max_links(),
            "is_open": window.is_open(),
        },
    )


@login_required
def links_print(request, booking_id: int):
    """A printable page of QR codes, one card per unused link (``?from=<card number>`` for a new batch)."""
    window = _window(booking_id)
    if not can_manage_links(request.user, window.booking):
        raise Http404
    qs = links_of(window, unused_only=True)
    start = request.GET.get("from", "")
    if start.isdigit():
        qs = qs.filter(serial__gte=int(start))
    cards = [
        {
            "link": link,
            "url": request.build_absolute_uri(reverse("evaluation:link", args=[link.token])),
        }
        for link in qs
    ]
    for card in cards:
        card["qr"] = qr_svg(card["url"])
    return render(request, "evaluation/links_print.html", {"window": window, "booking": window.booking, "cards": cards})


# --- instructors: their ratings and comments ------------------------------------------------------


def _ratings_page(request, instructor: Instructor, *, identities: bool, template: str):
    years = instructor_years(instructor)
    year = _year(request, years[0])
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    summary = instructor_summary(instructor, year)
    ratings = instructor_ratings(instructor, year)
    if not identities:
        ratings = ratings.exclude(comment="")
    page = Paginator(ratings, 30).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {
            "instructor": instructor,
            "year": year,
            "years": years,
            "summary": summary,
            "page": page,
            "query": f"year={year}",
            "identities": identities,
            **_formula_context(),
        },
    )


@login_required
def me(request):
    """The instructor's own summaries and comments, without who rated."""
    instructor = instructor_for_user(request.user)
    if instructor is None:
        raise PermissionDenied
    return _ratings_page(request, instructor, identities=False, template="evaluation/me.html")


@login_required
def instructor_ratings_view(request, pk: int):
    """An instructor's ratings with the raters, for the admins of its pool and those above it."""
    instructor = get_object_or_404(Instructor.objects.select_related("pool", "pool__organization"), pk=pk)
    if not can_see_raters(request.user, instructor):
        raise Http404
    return _ratings_page(request, instructor, identities=True, template="evaluation/instructor.html")


@login_required
def summaries(request):
    """Every rated instructor of a pool in a year: count, mean and the shrunk score, best first."""
    pools = list(pool_list(actor=request.user))
    if not pools:
        raise PermissionDenied
    wanted = request.GET.get("pool", "")
    pool = next((p for p in pools if wanted.isdigit() and p.pk == int(wanted)), None) or next(
        (p for p in pools if p.organization_id in jurisdiction_of(request.user).org_ids(Role.ORG_ADMIN)), pools[0]
    )
    year = _year(request, timezone.localdate().year)
    rows = pool_summaries(pool, year)
    return render(
        request,
        "evaluation/summaries.html",
        {
            "pools": pools,
            "pool": pool,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
            "rows": rows,
            "pool_mean": pool_mean_for(pool, year),
            **_formula_context(),
        },
    )


# --- the yearly evaluation ------------------------------------------------------------------------


@login_required
def runs(request):
    """Yearly evaluations of the pools the admin manages or supervises; start one for a pool and year."""
    j = jurisdiction_of(request.user)
    if not (j.org_ids(Role.ORG_ADMIN) or j.is_superuser):
        raise PermissionDenied
    managed = pools_managed_by(request.user)
    form = forms.RunStartForm(request.POST or None, pools=managed)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_start(pool=form.cleaned_data["pool"], year=form.cleaned_data["year"], actor=request.user)
        except DomainError as exc:
            _fail(form, exc)
        else:
            return redirect("evaluation:run", pk=run.pk)
    page = Paginator(run_list(actor=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "evaluation/runs.html", {"form": form, "page": page, "can_start": managed.exists()})


def _run_or_404(request, pk: int) -> EvaluationRun:
    try:
        return run_get(actor=request.user, pk=pk)
    except EvaluationRun.DoesNotExist:
        raise Http404 from None


OUTCOME_TABS = [("", gettext_lazy("All")), *Outcome.choices]


@login_required
def run_detail(request, pk: int):
    """Progress while computing; then the proposals, the decisions, the chart and the export."""
    run = _run_or_404(request, pk)
    can_manage = can_run_evaluation(request.user, run.pool)
    all_proposals = list(proposals_of(run)) if run.status in (run.Status.PROPOSED, run.Status.CONFIRMED) else []
    t = run.used_thresholds() or conf.thresholds()
    rewarded = [p.shrunk_score for p in all_proposals if p.outcome == Outcome.REWARD and p.shrunk_score is not None]
    chart = None
    if all_proposals:
        chart = distribution_svg(
            [p.shrunk_score for p in all_proposals if p.shrunk_score is not None and not p.is_reserve],
            remove_below=t.remove_below,
            warn_below=t.warn_below,
            reward_from=min(rewarded) if rewarded else None,
        )
    outcome = request.GET.get("outcome", "")
    shown = [p for p in all_proposals if p.outcome == outcome] if outcome in Outcome.values else all_proposals
    page = Paginator(shown, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/run.html",
        {
            "run": run,
            "can_manage": can_manage,
            "page": page,
            "query": f"outcome={outcome}" if outcome else "",
            "outcome": outcome,
            "tabs": OUTCOME_TABS,
            "counts": proposal_counts(run),
            "t": t,
            "chart": chart,
            "incidents": incidents_for_run(run),
            "history": run.status_changes.select_related("actor").order_by("created_at", "id"),
            "outcomes": dict(Outcome.choices),
            **_formula_context(),
        },
    )


@login_required
def run_progress(request, pk: int):
    """The run's progress as JSON, polled by the run page while it computes."""
    run = _run_or_404(request, pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": str(run.get_status_display()),
            "progress": run.progress,
            "note": run.progress_note,
            "busy": run.is_busy,
        }
    )


@login_required
@require_POST
def run_recompute(request, pk: int):
    run = _run_or_404(request, pk)
    try:
        services.run_start(pool=run.pool, year=run.year, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("evaluation:run", pk=run.pk)


@login_required
@require_POST
def run_decide(request, pk: int, proposal_id: int):
    run = _run_or_404(request, pk)
    proposal = get_object_or_404(Proposal, pk=proposal_id, run=run)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_decide(proposal=proposal, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, f"{proposal.instructor.name}：{exc.message}")
    else:
        messages.error(request, _("Choose a decision."))
    back = reverse("evaluation:run", args=[run.pk])
    query = request.POST.get("back_query", "")
    return redirect(f"{back}?{query}#proposal-{proposal.pk}" if query else f"{back}#proposal-{proposal.pk}")


@login_required
@require_POST
def run_accept_all(request, pk: int):
    run = _run_or_404(request, pk)
    try:
        n = services.proposals_accept_all(run=run, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(n)s proposals confirmed as proposed.") % {"n": n})
    return redirect("evaluation:run", pk=run.pk)


@login_required
@require_POST
def run_confirm(request, pk: int):
    run = _run_or_404(request, pk)
    try:
        run = services.run_confirm(run=run, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The yearly evaluation is confirmed and applied."))
    return redirect("evaluation:run", pk=run.pk)


@login_required
def run_export(request, pk: int):
    run = _run_or_404(request, pk)
    if run.status not in (run.Status.PROPOSED, run.Status.CONFIRMED):
        raise Http404
    data = run_workbook(run, proposals_of(run).select_related("instructor", "decided_by"))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="evaluation-{run.pool_id}-{run.year}.xlsx"'
    return response


@login_required
def incidents(request):
    """Teaching discipline incidents of the pools the admin manages or supervises; record one."""
    j = jurisdiction_of(request.user)
    if not (j.org_ids(Role.ORG_ADMIN) or j.is_superuser):
        raise PermissionDenied
    managed = pools_managed_by(request.user)
    instructors = Instructor.objects.filter(
        pool__in=managed, status__in=[*Instructor.SEAT_STATUSES, Instructor.Status.RESERVE]
    ).order_by("name", "code")
    form = forms.IncidentForm(request.POST or None, instructors=instructors)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_record(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _fail(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The incident has been recorded."))
            return redirect("evaluation:incidents")
    page = Paginator(incident_list(actor=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "evaluation/incidents.html", {"form": form, "page": page, "can_record": managed.exists()})
