"""The booking pages. Each view validates a form and calls one service, or renders a selector's result."""

import contextlib
import csv
import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from orgs.errors import DomainError
from orgs.models import Role
from orgs.selectors import jurisdiction_of
from pool.models import Category, Instructor, Level
from pool.rules import LEVEL_NAMES
from pool.selectors import instructor_for_user
from pool.services import instructor_update

from . import forms, services
from .fees import format_yuan, lecture_fee
from .ical import calendar_bytes
from .models import BlockedPeriod, Booking, FeeStandard, OpenAnswer
from .permissions import can_act_for_branch, can_answer_booking
from .selectors import (
    answers_for,
    bookable_instructor_list,
    booking_get,
    booking_history,
    booking_list,
    branches_for,
    calendar_month,
    feed_lectures,
    instructor_can_answer_open,
    open_requests_for,
    proposals_for,
    requests_to_answer,
    schedule_of,
    upcoming_lectures,
    with_related,
)

S = Booking.Status


def _fail(form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names, or on the form."""
    field = {"starts_at": "starts", "ends_at": "ends"}.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, str(exc.message))


def _own_instructor(request) -> Instructor:
    instructor = instructor_for_user(request.user)
    if instructor is None:
        raise PermissionDenied
    return instructor


def _recommend_url(request) -> str | None:
    """The recommender's page (built in pool), when this installation has it."""
    try:
        return reverse("pool:recommend")
    except NoReverseMatch:
        return None


@login_required
def index(request):
    j = jurisdiction_of(request.user)
    if j.has_role(Role.INSTRUCTOR) and instructor_for_user(request.user) is not None:
        return redirect("booking:inbox")
    if j.has_role(Role.SECRETARY) or j.has_role(Role.ORG_ADMIN):
        return redirect("booking:list")
    raise PermissionDenied


# --- the secretary ---------------------------------------------------------------------------------


@login_required
def find(request):
    """Find an instructor from the pools the branch may book from, and request a lecture."""
    branches = branches_for(request.user)
    if not branches.exists():
        raise PermissionDenied
    wanted = request.GET.get("branch", "")
    branch = (branches.filter(pk=wanted).first() if wanted.isdigit() else None) or branches.first()
    filters = {k: v for k, v in request.GET.items() if k in ("q", "category", "level") and v}
    try:
        qs = bookable_instructor_list(branch=branch, filters=filters)
    except ValidationError:
        messages.warning(request, _("Some filters were not understood and have been ignored."))
        qs = bookable_instructor_list(branch=branch)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "booking/find.html",
        {
            "branch": branch,
            "branches": branches,
            "page": page,
            "filters": request.GET,
            "query": query.urlencode(),
            "categories": Category.choices,
            "levels": [(value, LEVEL_NAMES[value]) for value in Level.values],
            "recommend_url": _recommend_url(request),
        },
    )


@login_required
def request_new(request):
    """The request form: ``?instructor=<id>`` addresses one instructor (from search or the recommender),
    without it the branch posts an open request; ``q`` and ``date`` prefill the topic and the date."""
    branches = branches_for(request.user)
    if not branches.exists():
        raise PermissionDenied
    instructor_id = request.POST.get("instructor") or request.GET.get("instructor")
    instructor = None
    if instructor_id:
        if not str(instructor_id).isdigit():
            raise Http404
        instructor = get_object_or_404(
            Instructor.objects.select_related("pool", "pool__organization").prefetch_related("topics"),
            pk=instructor_id,
            status=Instructor.Status.APPOINTED,
        )
    initial = {"instructor": instructor.pk if instructor else None, "topic": request.GET.get("q", "")}
    with contextlib.suppress(ValueError):
        initial["day"] = date.fromisoformat(request.GET.get("date", ""))
    if instructor is not None:
        initial["category"] = instructor.category
    form = forms.BookingRequestForm(request.POST or None, branches=branches, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at = form.lecture_times()
        try:
            booking = services.booking_create(
                actor=request.user,
                branch=data["branch"],
                instructor=instructor,
                topic=data["topic"],
                category=data["category"],
                description=data["description"],
                starts_at=starts_at,
                ends_at=ends_at,
                class_hours=data["class_hours"],
                mode=data["mode"],
                place=data["place"],
                audience_size=data["audience_size"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
            )
        except DomainError as exc:
            _fail(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this here."))
        else:
            messages.success(
                request,
                _("Your request has been sent to %(name)s.") % {"name": instructor.name}
                if instructor
                else _("Your open request has been posted; instructors whose topics fit may answer it."),
            )
            return redirect("booking:detail", pk=booking.pk)
    standard = None
    rates = []
    if instructor is not None:
        today = timezone.localdate()
        standard = FeeStandard.objects.filter(effective_from__lte=today).order_by("-effective_from").first()
        if standard is not None:
            rates = list(standard.rates.all())
    return render(
        request,
        "booking/request_form.html",
        {
            "form": form,
            "instructor": instructor,
            "standard": standard,
            "rate": next((r for r in rates if instructor and r.grade == instructor.fee_grade), None),
            "level_name": LEVEL_NAMES[instructor.pool.level] if instructor else "",
        },
    )


STATUS_TABS = [
    ("", _("All")),
    ("open", S.OPEN.label),
    ("requested", S.REQUESTED.label),
    ("proposed", S.PROPOSED.label),
    ("accepted", S.ACCEPTED.label),
    ("delivered", S.DELIVERED.label),
]


@login_required
def booking_list_view(request):
    """Requests and lectures the user may see (a branch's, a subtree's, an instructor's own)."""
    try:
        qs = booking_list(actor=request.user, filters=request.GET)
    except ValidationError:
        messages.warning(request, _("Some filters were not understood and have been ignored."))
        qs = booking_list(actor=request.user)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    export_query = query.copy()
    return render(
        request,
        "booking/list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "export_query": export_query.urlencode(),
            "status": request.GET.get("status", ""),
            "tabs": STATUS_TABS,
            "can_request": branches_for(request.user).exists(),
        },
    )


EXPORT_HEADER = [
    "编号",
    "支部",
    "讲师",
    "讲师编号",
    "专题",
    "类别",
    "日期",
    "开始",
    "结束",
    "学时",
    "形式",
    "地点",
    "人数",
    "状态",
    "讲课费标准",
    "计费单位数",
    "单价（元）",
    "讲课费（元）",
]


def _export_row(b: Booking) -> list:
    start, end = timezone.localtime(b.starts_at), timezone.localtime(b.ends_at)
    return [
        b.pk,
        b.branch.full_name,
        b.instructor.name if b.instructor else "",
        b.instructor.code if b.instructor else "",
        b.topic,
        b.get_category_display() if b.category else "",
        start.date().isoformat(),
        f"{start:%H:%M}",
        f"{end:%H:%M}",
        b.class_hours,
        b.get_mode_display(),
        b.place,
        b.audience_size,
        b.get_status_display(),
        b.fee_standard.number if b.fee_standard else "",
        b.fee_units if b.fee_units is not None else "",
        f"{b.fee_rate:.2f}" if b.fee_rate is not None else "",
        f"{b.fee_amount:.2f}" if b.fee_amount is not None else "",
    ]


@login_required
def export(request):
    """The visible bookings (with the list's filters) as .xlsx, or .csv with ``format=csv``."""
    try:
        qs = booking_list(actor=request.user, filters=request.GET)
    except ValidationError:
        qs = booking_list(actor=request.user)
    rows = [_export_row(b) for b in qs.order_by("starts_at", "id")]
    stamp = timezone.localdate().strftime("%Y%m%d")
    if request.GET.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_HEADER)
        writer.writerows(rows)
        response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bookings-{stamp}.csv"'
        return response
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("讲课预约")
    header = []
    for name in EXPORT_HEADER:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([float(v) if i in (16, 17) and v != "" else v for i, v in enumerate(row)])
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="bookings-{stamp}.xlsx"'
    return response


def _booking_or_404(request, pk: int) -> Booking:
    try:
        return booking_get(actor=request.user, pk=pk)
    except Booking.DoesNotExist:
        raise Http404 from None


def _open_booking_for_instructor(request, pk: int) -> tuple[Booking, Instructor] | None:
    """An open request the user (as instructor) may see to answer it, though it is not yet its own."""
    instructor = instructor_for_user(request.user)
    if instructor is None:
        return None
    booking = with_related(Booking.objects.filter(pk=pk, kind=Booking.Kind.OPEN)).first()
    if booking is None or not instructor_can_answer_open(instructor, booking):
        return None
    return booking, instructor


@login_required
def detail(request, pk: int):
    """One request or lecture: what, when, fee, history, and the actions the user may take."""
    try:
        booking = booking_get(actor=request.user, pk=pk)
        answering = instructor_for_user(request.user)
    except Booking.DoesNotExist:
        found = _open_booking_for_instructor(request, pk)
        if found is None:
            raise Http404 from None
        booking, answering = found
    user = request.user
    branch_side = can_act_for_branch(user, booking)
    instructor_side = can_answer_booking(user, booking)
    my_answer = None
    if answering is not None and booking.kind == Booking.Kind.OPEN:
        my_answer = OpenAnswer.objects.filter(booking=booking, instructor=answering).first()
    now = timezone.now()
    status = booking.status
    actions = {
        "accept": instructor_side and status == S.REQUESTED,
        "decline": instructor_side and status in (S.REQUESTED, S.PROPOSED),
        "propose": instructor_side and status == S.REQUESTED,
        "cancel": (branch_side and status in (S.OPEN, S.REQUESTED, S.PROPOSED, S.ACCEPTED))
        or (instructor_side and not branch_side and status == S.ACCEPTED),
        "deliver": (branch_side or instructor_side) and status == S.ACCEPTED and booking.ends_at <= now,
        "decide_proposal": branch_side and status == S.PROPOSED,
        "pick": branch_side and status == S.OPEN,
        "answer": answering is not None
        and status == S.OPEN
        and (my_answer is None or my_answer.status == OpenAnswer.Status.WITHDRAWN)
        and instructor_can_answer_open(answering, booking),
        "withdraw": my_answer is not None and my_answer.status == OpenAnswer.Status.OFFERED and status == S.OPEN,
        "ics": booking.is_confirmed and (branch_side or instructor_side),
    }
    answers = list(answers_for(booking)) if branch_side and booking.kind == Booking.Kind.OPEN else []
    for answer in answers:
        answer.fee = lecture_fee(
            grade=answer.instructor.fee_grade,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            class_hours=booking.class_hours,
        )
    proposals = list(proposals_for(booking))
    return render(
        request,
        "booking/detail.html",
        {
            "booking": booking,
            "history": booking_history(booking),
            "proposals": proposals,
            "pending_proposal": next((p for p in proposals if p.status == p.Status.PENDING), None),
            "answers": answers,
            "my_answer": my_answer,
            "actions": actions,
            "branch_side": branch_side,
            "instructor_side": instructor_side,
            "contact_phone": booking.contact_phone
            if (branch_side or instructor_side)
            else booking.masked_contact_phone,
            "fee": format_yuan(booking.fee_amount) if booking.fee_amount is not None else None,
            "decline_form": forms.ReasonForm(prefix="decline"),
            "cancel_form": forms.ReasonForm(prefix="cancel"),
            "propose_form": forms.ProposeForm(),
            "note_form": forms.NoteForm(),
        },
    )


def _act(request, pk: int, do, success: str):
    """Run one service on a booking from a POSTed form and go back to its page with the outcome."""
    booking = _booking_or_404(request, pk)
    try:
        do(booking)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    except PermissionDenied:
        messages.error(request, _("You may not do this here."))
    else:
        messages.success(request, success)
    return redirect("booking:detail", pk=pk)


def _reason(request, prefix: str) -> str:
    form = forms.ReasonForm(request.POST, prefix=prefix)
    return form.cleaned_data["reason"] if form.is_valid() else ""


@login_required
@require_POST
def accept(request, pk: int):
    return _act(
        request, pk, lambda b: services.booking_accept(booking=b, actor=request.user), _("You accepted the lecture.")
    )


@login_required
@require_POST
def decline(request, pk: int):
    reason = _reason(request, "decline")
    return _act(
        request,
        pk,
        lambda b: services.booking_decline(booking=b, actor=request.user, reason=reason),
        _("You declined the request."),
    )


@login_required
@require_POST
def cancel(request, pk: int):
    reason = _reason(request, "cancel")
    return _act(
        request,
        pk,
        lambda b: services.booking_cancel(booking=b, actor=request.user, reason=reason),
        _("The booking has been cancelled."),
    )


@login_required
@require_POST
def deliver(request, pk: int):
    return _act(
        request,
        pk,
        lambda b: services.booking_deliver(booking=b, actor=request.user),
        _("The lecture is confirmed as delivered."),
    )


@login_required
@require_POST
def propose(request, pk: int):
    form = forms.ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date and both times of the time you propose."))
        return redirect("booking:detail", pk=pk)
    starts_at, ends_at = form.lecture_times()
    return _act(
        request,
        pk,
        lambda b: services.booking_propose(
            booking=b, actor=request.user, starts_at=starts_at, ends_at=ends_at, note=form.cleaned_data["note"]
        ),
        _("Your proposal has been sent to the branch."),
    )


@login_required
@require_POST
def proposal_accept(request, pk: int):
    return _act(
        request,
        pk,
        lambda b: services.booking_proposal_accept(booking=b, actor=request.user),
        _("You accepted the proposed time; the lecture is confirmed."),
    )


@login_required
@require_POST
def proposal_refuse(request, pk: int):
    note = request.POST.get("note", "")
    return _act(
        request,
        pk,
        lambda b: services.booking_proposal_refuse(booking=b, actor=request.user, note=note),
        _("You kept the requested time; the instructor has been told."),
    )


@login_required
@require_POST
def pick(request, pk: int):
    answer_id = request.POST.get("answer", "")

    def do(booking):
        answer = OpenAnswer.objects.filter(pk=answer_id if answer_id.isdigit() else 0, booking=booking).first()
        if answer is None:
            raise DomainError(_("Choose one of the answers."), field="answer")
        services.booking_pick(booking=booking, answer=answer, actor=request.user)

    return _act(request, pk, do, _("You picked the instructor; the lecture is confirmed."))


@login_required
@require_POST
def answer(request, pk: int):
    found = _open_booking_for_instructor(request, pk)
    if found is None:
        raise Http404
    booking, instructor = found
    try:
        services.open_answer_submit(
            booking=booking, actor=request.user, instructor=instructor, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    except PermissionDenied:
        messages.error(request, _("You may not do this here."))
    else:
        messages.success(request, _("Your answer has been sent; the branch will pick one of the answers."))
    return redirect("booking:detail", pk=pk)


@login_required
@require_POST
def answer_withdraw(request, pk: int):
    instructor = _own_instructor(request)
    answer = get_object_or_404(OpenAnswer, booking_id=pk, instructor=instructor)
    try:
        services.open_answer_withdraw(answer=answer, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your answer has been withdrawn."))
    return redirect("booking:detail", pk=pk)


@login_required
def lecture_ics(request, pk: int):
    """One confirmed lecture as an .ics file, for either side's calendar."""
    booking = _booking_or_404(request, pk)
    if not booking.is_confirmed or not (
        can_act_for_branch(request.user, booking) or can_answer_booking(request.user, booking)
    ):
        raise Http404
    url = request.build_absolute_uri(reverse("booking:detail", args=[booking.pk]))
    body = calendar_bytes([booking], name=booking.topic, url_for=lambda b: url)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lecture-{booking.pk}.ics"'
    return response


# --- the instructor --------------------------------------------------------------------------------


@login_required
def inbox(request):
    """Requests to answer, proposals waiting for the branch, open requests that fit, upcoming lectures."""
    instructor = _own_instructor(request)
    now = timezone.now()
    mine = with_related(Booking.objects.filter(instructor=instructor))
    return render(
        request,
        "booking/inbox.html",
        {
            "instructor": instructor,
            "to_answer": with_related(requests_to_answer(instructor)).order_by("respond_by", "id"),
            "proposed": mine.filter(status=S.PROPOSED).order_by("starts_at"),
            "open_requests": with_related(open_requests_for(instructor)).order_by("starts_at", "id")[:50],
            "my_answers": OpenAnswer.objects.filter(
                instructor=instructor, status=OpenAnswer.Status.OFFERED, booking__status=S.OPEN
            ).select_related("booking", "booking__branch"),
            "upcoming": with_related(upcoming_lectures(instructor, now=now)),
            "to_confirm": mine.filter(status=S.ACCEPTED, ends_at__lte=now).order_by("starts_at"),
        },
    )


@login_required
def schedule(request):
    """The instructor's week, blocked dates, monthly limit and private calendar feed."""
    instructor = _own_instructor(request)
    action = request.POST.get("action") if request.method == "POST" else None
    current = schedule_of(instructor)
    window_initial = [{"weekday": w.weekday, "starts": w.starts, "ends": w.ends} for w in current.windows]
    windows = forms.WindowFormSet(request.POST if action == "windows" else None, initial=window_initial, prefix="w")
    blocked_form = forms.BlockedForm(request.POST if action == "block" else None)
    limit_form = forms.LimitForm(
        request.POST if action == "limit" else None, initial={"monthly_limit": instructor.monthly_limit}
    )
    done = None
    try:
        if action == "windows" and windows.is_valid():
            kept = [
                (f.cleaned_data["weekday"], f.cleaned_data["starts"], f.cleaned_data["ends"])
                for f in windows.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            services.weekly_availability_set(instructor=instructor, actor=request.user, windows=kept)
            done = _("Your weekly availability has been saved.")
        elif action == "block" and blocked_form.is_valid():
            services.blocked_period_add(instructor=instructor, actor=request.user, **blocked_form.cleaned_data)
            done = _("Those days are blocked.")
        elif action == "unblock":
            period_id = request.POST.get("period", "")
            period = get_object_or_404(BlockedPeriod, pk=period_id if period_id.isdigit() else 0, instructor=instructor)
            services.blocked_period_remove(period=period, actor=request.user)
            done = _("Those days are free again.")
        elif action == "limit" and limit_form.is_valid():
            instructor_update(
                instructor=instructor, actor=request.user, monthly_limit=limit_form.cleaned_data["monthly_limit"]
            )
            done = _("Your monthly limit has been saved.")
        elif action == "feed":
            services.calendar_feed_rotate(instructor=instructor, actor=request.user)
            done = _("Your calendar feed has a new address; the old one no longer works.")
        elif action == "feed_revoke":
            services.calendar_feed_revoke(instructor=instructor, actor=request.user)
            done = _("Your calendar feed has been switched off.")
    except DomainError as exc:
        target = {"windows": None, "block": blocked_form, "limit": limit_form}.get(action)
        if target is not None:
            _fail(target, exc)
        else:
            messages.error(request, str(exc.message))
    if done:
        messages.success(request, done)
        return redirect("booking:schedule")
    if action == "windows" and not windows.is_valid():
        messages.error(request, _("Check the windows: each needs a weekday and both times."))
    current = schedule_of(instructor)
    feed_url = request.build_absolute_uri(reverse("booking:feed", args=[current.feed.token])) if current.feed else None
    return render(
        request,
        "booking/schedule.html",
        {
            "instructor": instructor,
            "schedule": current,
            "windows": windows,
            "blocked_form": blocked_form,
            "limit_form": limit_form,
            "feed_url": feed_url,
        },
    )


@login_required
def calendar_view(request):
    """A month of requests and lectures: an instructor's own (with blocked days), a branch's, a subtree's."""
    try:
        first = date.fromisoformat(f"{request.GET.get('month', '')}-01")
    except ValueError:
        first = timezone.localdate().replace(day=1)
    instructor = instructor_for_user(request.user)
    as_instructor = instructor is not None and request.GET.get("as") != "branch"
    j = jurisdiction_of(request.user)
    if not as_instructor and not (j.paths or j.is_superuser):
        raise PermissionDenied
    month = calendar_month(actor=request.user, first=first, instructor=instructor if as_instructor else None)
    return render(
        request,
        "booking/calendar.html",
        {
            "month": month,
            "as_instructor": as_instructor,
            "can_switch": instructor is not None and bool(j.paths),
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        },
    )


def feed(request, token: str):
    """The private iCalendar feed: no log-in, the secret token in the address is the key."""
    feed_row = services.calendar_feed_read(token=token)
    if feed_row is None:
        raise Http404
    instructor = feed_row.instructor
    body = calendar_bytes(
        feed_lectures(instructor),
        name=_("Lectures of %(name)s") % {"name": instructor.name},
        url_for=lambda b: request.build_absolute_uri(reverse("booking:detail", args=[b.pk])),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
