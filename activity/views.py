"""Pages for secretaries (the month's day, plan, record, attendance on a phone, questions, reports),
members (own attendance, ask a question) and admins (supervision, rules, calendar, excellent cases).
Thin: forms check input, services do the work."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.selectors import activists_to_invite, member_for_user, members_attending
from orgs.errors import DomainError
from orgs.models import Organization, Role
from orgs.selectors import jurisdiction_of

from . import export, forms, permissions, selectors, services
from .models import Activity, Attachment, Attendance, ContentType, ExcellentCase, MonthlyReport, Question
from .workdays import Workdays, month_start, next_month, previous_month, rule_date

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _form_page(request, form, *, title, on_valid, back, submit=None, intro="", done=None, extra=None):
    """GET shows ``form``; a valid POST calls ``on_valid(cleaned_data)`` (a service) and redirects to the URL
    it returns; a DomainError goes back onto the form."""
    if request.method == "POST" and form.is_valid():
        try:
            url = on_valid(form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, done or _("Saved."))
            return redirect(url)
    context = {"form": form, "title": title, "back": back, "submit": submit or _("Save"), "intro": intro}
    return render(request, "activity/form.html", context | (extra or {}))


def _branch_param(request, branches: list[Organization]) -> Organization | None:
    """The branch named by ``?branch=`` among ``branches`` (the first one by default)."""
    wanted = request.GET.get("branch") or request.POST.get("branch")
    if wanted:
        for branch in branches:
            if str(branch.pk) == wanted:
                return branch
        org = selectors.org_by_id(wanted)
        if (
            org is not None
            and org.kind in Organization.BRANCH_KINDS
            and permissions.can_manage_activities(request.user, org)
        ):
            return org
        raise Http404
    return branches[0] if branches else None


def _managed_branch(request) -> Organization:
    branches = list(selectors.branches_managed_by(request.user)[:50])
    branch = _branch_param(request, branches)
    if branch is None:
        raise PermissionDenied
    return branch


def _visible_activity(request, pk: int) -> Activity:
    activity = get_object_or_404(
        Activity.objects.select_related("branch", "lecturer_member", "lecture__instructor"), pk=pk
    )
    if not permissions.can_view_activity(request.user, activity):
        raise PermissionDenied
    return activity


def _month_param(request) -> date | None:
    raw = request.GET.get("month", "")
    try:
        return forms.MonthFormField().clean(raw) if raw else None
    except Exception:
        return None


# --- the secretary's page ---------------------------------------------------------------------------


@login_required
def home(request):
    """This month's activity day of the secretary's branch: when, whether recorded, what to do next."""
    j = jurisdiction_of(request.user)
    if not j.has_role(Role.SECRETARY):
        if j.has_role(Role.ORG_ADMIN):
            return redirect("activity:supervision")
        return redirect("activity:me")
    # A secretary's own branches; the secretary of a general branch with branches below gets those.
    managed = selectors.branches_managed_by(request.user)
    branches = list(managed.filter(pk__in=j.org_ids(Role.SECRETARY))[:50]) or list(managed[:50])
    branch = _branch_param(request, branches)
    if branch is None:
        raise PermissionDenied
    today = timezone.localdate()
    month = month_start(today)
    workdays = Workdays()
    this_day = selectors.planned_day(branch, month, workdays=workdays)
    next_day = selectors.planned_day(branch, next_month(month), workdays=workdays)
    activities = selectors.activity_list(actor=request.user, filters={"branch": branch.pk}).filter(
        held_on__year__gte=today.year - 1
    )[:30]
    report_month = selectors.report_due_month(on=today)
    context = {
        "branch": branch,
        "branches": branches,
        "today": today,
        "this_day": this_day,
        "next_day": next_day,
        "this_activity": selectors.branch_activity_for_month(branch, month),
        "activities": activities,
        "open_questions": Question.objects.filter(branch=branch, status__in=Question.PENDING).count(),
        "overdue_questions": Question.objects.filter(
            branch=branch, status__in=Question.PENDING, due_on__lt=today
        ).count(),
        "report_month": report_month,
        "report_due_on": selectors.report_due_on(report_month),
        "report": MonthlyReport.objects.filter(branch=branch, month=report_month).first(),
        "expected_count": members_attending(branch, on=today).count(),
    }
    return render(request, "activity/home.html", context)


@login_required
def day_move(request):
    branch = _managed_branch(request)
    month = _month_param(request) or month_start(timezone.localdate())
    planned = selectors.planned_day(branch, month)
    form = forms.MoveForm(request.POST or None, initial={"moved_to": planned.date})

    def save(data):
        services.day_move(
            actor=request.user, branch=branch, month=month, moved_to=data["moved_to"], reason=data["reason"]
        )
        return reverse("activity:home") + f"?branch={branch.pk}"

    intro = _("Move the activity day of %(branch)s in %(month)s to another day of the same month.") % {
        "branch": branch.full_name,
        "month": f"{month.year}年{month.month}月",
    }
    return _form_page(
        request,
        form,
        title=_("Move the activity day"),
        on_valid=save,
        back=reverse("activity:home") + f"?branch={branch.pk}",
        intro=intro,
        done=_("The activity day was moved."),
    )


# --- activities -------------------------------------------------------------------------------------


def _activity_form(request, *, branch, activity=None, initial=None):
    on = activity.held_on if activity else timezone.localdate()
    return forms.ActivityForm(
        request.POST or None,
        initial=initial,
        branch=branch,
        lecturers=selectors.lecturer_choices(branch, on=on),
        activists=activists_to_invite(branch),
        lectures=selectors.lectures_to_link(branch, around=on, activity=activity),
        recorded=activity is not None and activity.is_recorded,
    )


@login_required
def activity_new(request):
    """Plan an activity: the month's activity day on the branch's day by default."""
    branch = _managed_branch(request)
    today = timezone.localdate()
    planned = selectors.planned_day(branch, today)
    has_day = selectors.branch_activity_for_month(branch, today) is not None
    initial = {
        "is_activity_day": not has_day,
        "held_on": planned.date if not has_day and planned.date else today,
        "content_types": [ContentType.STUDY],
        "host": request.user.display_name,
        "form": Activity.Form.MEETING,
    }
    # From a booked lecture (?lecture=<id>): the activity of that day, about that lecture.
    wanted = request.GET.get("lecture", "")
    lecture = (
        selectors.lectures_to_link(branch, around=today).filter(pk=int(wanted)).first()
        if wanted.isascii() and wanted.isdigit() and len(wanted) < 19
        else None
    )
    if lecture is not None:
        initial.update(
            lecture=lecture,
            held_on=lecture.local_date,
            theme=lecture.topic,
            content_types=[ContentType.STUDY, ContentType.PARTY_LECTURE],
            lecturer_kind=Activity.Lecturer.INSTRUCTOR,
            form=Activity.Form.LECTURE,
        )
    form = _activity_form(request, branch=branch, initial=initial)

    def save(data):
        activity = services.activity_plan(actor=request.user, branch=branch, **data)
        if activity.held_on <= timezone.localdate():
            return reverse("activity:attendance", args=[activity.pk])
        return reverse("activity:detail", args=[activity.pk])

    return _form_page(
        request,
        form,
        title=_("Plan an activity"),
        on_valid=save,
        back=reverse("activity:home") + f"?branch={branch.pk}",
        intro=branch.full_name,
        submit=_("Save and continue"),
        extra={"activity_form": True},
    )


@login_required
def activity_edit(request, pk: int):
    activity = _visible_activity(request, pk)
    if not permissions.can_manage_activities(request.user, activity.branch):
        raise PermissionDenied
    initial = {
        "theme": activity.theme,
        "content_types": activity.content_kinds,
        "is_activity_day": activity.is_activity_day,
        "held_on": activity.held_on,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "form": activity.form,
        "place": activity.place,
        "host": activity.host,
        "summary": activity.summary,
        "report_last_month": activity.report_last_month,
        "plan_next_month": activity.plan_next_month,
        "lecturer_kind": activity.lecturer_kind,
        "lecturer_member": activity.lecturer_member,
        "lecturer_name": activity.lecturer_name,
        "lecture": activity.lecture,
        "invitees": list(activity.invitees.all()),
    }
    form = _activity_form(request, branch=activity.branch, activity=activity, initial=initial)

    def save(data):
        data = dict(data)
        held_on, move_reason = data.pop("held_on", None), data.pop("move_reason", "")
        data.pop("is_activity_day", None)
        services.activity_update(
            actor=request.user, activity=activity, changes=data, held_on=held_on, move_reason=move_reason
        )
        return reverse("activity:detail", args=[activity.pk])

    return _form_page(
        request,
        form,
        title=_("Edit the activity"),
        on_valid=save,
        back=reverse("activity:detail", args=[activity.pk]),
        intro=f"{activity.branch.full_name} · {activity.held_on:%Y-%m-%d}",
        extra={"activity_form": True},
    )


@login_required
def activity_detail(request, pk: int):
    activity = _visible_activity(request, pk)
    can_manage = permissions.can_manage_activities(request.user, activity.branch)
    case = ExcellentCase.objects.filter(activity=activity).first()
    context = {
        "activity": activity,
        "can_manage": can_manage,
        "attendance": selectors.activity_attendance(activity),
        "attachments": selectors.activity_attachments(activity),
        "invitees": activity.invitees.all(),
        "questions": activity.questions.all(),
        "history": activity.history.select_related("actor"),
        "attachment_form": forms.AttachmentForm(),
        "cancel_form": forms.ReasonForm(),
        "case": case,
        "case_form": forms.CaseForm(initial={"title": activity.theme})
        if case is None and activity.is_recorded and permissions.can_mark_case(request.user, activity)
        else None,
    }
    return render(request, "activity/detail.html", context)


@login_required
def activity_attendance(request, pk: int):
    """Attendance of every member expected, one row each, made for a phone: present by default."""
    activity = _visible_activity(request, pk)
    if not permissions.can_manage_activities(request.user, activity.branch):
        raise PermissionDenied
    recorded = {a.member_id: a for a in activity.attendance.all()}
    date_form = forms.AttendanceDateForm(request.POST or None, initial={"held_on": activity.held_on})
    on = activity.held_on
    if request.method == "POST" and date_form.is_valid():
        on = date_form.cleaned_data["held_on"]
    members = list(members_attending(activity.branch, on=on))
    rows = []
    for m in members:
        status = request.POST.get(f"status-{m.pk}") or (recorded[m.pk].status if m.pk in recorded else "present")
        reason = request.POST.get(f"reason-{m.pk}", recorded[m.pk].reason if m.pk in recorded else "")
        rows.append({"member": m, "status": status, "reason": reason})
    error = None
    if request.method == "POST" and date_form.is_valid():
        entries = [{"member": r["member"].pk, "status": r["status"], "reason": r["reason"]} for r in rows]
        try:
            services.activity_record(
                actor=request.user,
                activity=activity,
                attendance=entries,
                held_on=date_form.cleaned_data["held_on"],
                move_reason=date_form.cleaned_data["move_reason"],
            )
        except DomainError as exc:
            if exc.field in date_form.fields:
                date_form.add_error(exc.field, str(exc.message))
            else:
                error = str(exc.message)
        else:
            messages.success(request, _("The attendance was recorded."))
            return redirect("activity:detail", pk=activity.pk)
    return render(
        request,
        "activity/attendance.html",
        {
            "activity": activity,
            "rows": rows,
            "date_form": date_form,
            "error": error,
            "statuses": Attendance.Status.choices,
        },
    )


@login_required
@require_POST
def activity_cancel(request, pk: int):
    activity = _visible_activity(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.activity_cancel(actor=request.user, activity=activity, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The activity was cancelled."))
    else:
        messages.error(request, _("Give the reason for cancelling."))
    return redirect("activity:detail", pk=activity.pk)


@login_required
@require_POST
def attachment_upload(request, pk: int):
    activity = _visible_activity(request, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(actor=request.user, activity=activity, upload=form.cleaned_data["file"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The file was attached."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("activity:detail", pk=activity.pk)


@login_required
def attachment_download(request, pk: int):
    """Attachments are served through this check, never straight from the media folder."""
    attachment = get_object_or_404(Attachment.objects.select_related("activity__branch"), pk=pk)
    if not permissions.can_view_activity(request.user, attachment.activity):
        raise PermissionDenied
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.kind == Attachment.Kind.PDF and request.GET.get("download") == "1",
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def attachment_delete(request, pk: int):
    attachment = get_object_or_404(Attachment.objects.select_related("activity"), pk=pk)
    services.attachment_remove(actor=request.user, attachment=attachment)
    messages.success(request, _("The attachment was removed."))
    return redirect("activity:detail", pk=attachment.activity_id)


# --- members ----------------------------------------------------------------------------------------


@login_required
def my_attendance(request):
    """A member's own attendance this year and before, and their questions."""
    member = member_for_user(request.user)
    if member is None:
        return render(request, "activity/me.html", {"member": None})
    year = timezone.localdate().year
    page = Paginator(selectors.attendance_of_member(member), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "activity/me.html",
        {
            "member": member,
            "page": page,
            "year": year,
            "summary": selectors.member_attendance_summary(member, year=year),
            "questions": selectors.member_questions(member)[:20],
            "attending_branch": selectors.attending_branch(member),
        },
    )


# --- questions --------------------------------------------------------------------------------------


@login_required
def question_list(request):
    filters = {k: v for k, v in request.GET.items() if k in {"status", "overdue", "closed", "branch"} and v}
    qs = selectors.question_list(actor=request.user, filters=filters)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    j = jurisdiction_of(request.user)
    return render(
        request,
        "activity/questions.html",
        {
            "page": page,
            "filters": filters,
            "today": timezone.localdate(),
            "statuses": Question.Status.choices,
            "can_record": j.has_role(Role.SECRETARY) or j.has_role(Role.ORG_ADMIN),
            "is_member": member_for_user(request.user) is not None,
        },
    )


@login_required
def question_new(request):
    """A member asks of the branch where they take part; a secretary records a question raised at an
    activity (``?branch=``), naming the asker."""
    j = jurisdiction_of(request.user)
    as_manager = (j.has_role(Role.SECRETARY) or j.has_role(Role.ORG_ADMIN)) and request.GET.get("as") != "member"
    member = member_for_user(request.user)
    if as_manager:
        branch = _managed_branch(request)
        today = timezone.localdate()
        form = forms.QuestionForm(
            request.POST or None,
            members=members_attending(branch, on=today),
            activities=Activity.objects.filter(branch=branch, status=Activity.Status.RECORDED).order_by("-held_on")[
                :24
            ],
        )
        intro = branch.full_name
    elif member is not None:
        branch = selectors.attending_branch(member)
        form = forms.QuestionForm(request.POST or None)
        intro = _("Your question goes to %(branch)s, which must answer or act on it by the due date.") % {
            "branch": branch.full_name
        }
    else:
        raise PermissionDenied

    def save(data):
        question = services.question_ask(
            actor=request.user,
            branch=branch if as_manager else None,
            text=data["text"],
            asked_by=data.get("asked_by"),
            asker_name=data.get("asker_name") or "",
            activity=data.get("activity"),
            due_on=data.get("due_on"),
        )
        return reverse("activity:question", args=[question.pk])

    return _form_page(
        request,
        form,
        title=_("Ask a question") if not as_manager else _("Record a question"),
        on_valid=save,
        back=reverse("activity:questions"),
        intro=intro,
        submit=_("Submit"),
        done=_("The question was submitted."),
    )


def _visible_question(request, pk: int) -> Question:
    question = get_object_or_404(Question.objects.select_related("branch", "asked_by", "activity"), pk=pk)
    if not permissions.can_view_question(request.user, question):
        raise PermissionDenied
    return question


@login_required
def question_detail(request, pk: int):
    question = _visible_question(request, pk)
    can_answer = permissions.can_answer_question(request.user, question)
    can_close = permissions.can_close_question(request.user, question)
    if request.method == "POST":
        step = request.POST.get("step")
        form_class = {
            "act": forms.QuestionActForm,
            "answer": forms.QuestionAnswerForm,
            "reopen": forms.ReasonForm,
        }.get(step)
        form = form_class(request.POST) if form_class else None
        try:
            if step == "close":
                services.question_close(actor=request.user, question=question)
            elif form is not None and form.is_valid():
                data = form.cleaned_data
                if step == "act":
                    services.question_act(actor=request.user, question=question, action=data["action"])
                elif step == "answer":
                    services.question_answer(actor=request.user, question=question, answer=data["answer"])
                else:
                    services.question_reopen(actor=request.user, question=question, reason=data["reason"])
            else:
                raise DomainError(_("Fill in the text."))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("activity:question", pk=question.pk)
    return render(
        request,
        "activity/question.html",
        {
            "question": question,
            "today": timezone.localdate(),
            "can_answer": can_answer,
            "can_close": can_close,
            "is_asker": permissions.is_asker(request.user, question),
            "can_view_activity": question.activity is not None
            and permissions.can_view_activity(request.user, question.activity),
            "act_form": forms.QuestionActForm(),
            "answer_form": forms.QuestionAnswerForm(),
            "reopen_form": forms.ReasonForm(),
            "history": question.history.select_related("actor"),
        },
    )


# --- monthly reports --------------------------------------------------------------------------------


@login_required
def report_list(request):
    filters = {k: v for k, v in request.GET.items() if k in {"branch", "month"} and v}
    page = Paginator(selectors.report_list(actor=request.user, filters=filters), 30).get_page(request.GET.get("page"))
    j = jurisdiction_of(request.user)
    return render(
        request,
        "activity/reports.html",
        {"page": page, "filters": filters, "can_submit": j.has_role(Role.SECRETARY)},
    )


def _report_draft(branch: Organization, month: date) -> str:
    figures = services.report_figures(branch, month)
    lines = [
        _("%(branch)s, activity report for %(month)s") % {"branch": branch.full_name, "month": f"{month:%Y-%m}"},
    ]
    if figures["activity_day"]:
        lines.append(
            _(
                "Activity day held on %(day)s: %(present)s of %(expected)s members present, %(excused)s excused, "
                "%(absent)s absent without reason."
            )
            % {
                "day": figures["activity_day"],
                "present": figures["present"],
                "expected": figures["expected"],
                "excused": figures["excused"],
                "absent": figures["absent"],
            }
        )
    else:
        lines.append(_("The activity day has not been recorded."))
    lines.append(_("Activities recorded: %(n)s.") % {"n": figures["activities"]})
    lines.append(
        _("Questions asked: %(asked)s; overdue now: %(overdue)s.")
        % {"asked": figures["questions_asked"], "overdue": figures["questions_overdue"]}
    )
    for activity in Activity.objects.filter(branch=branch, month=month, status=Activity.Status.RECORDED):
        lines.append(f"· {activity.held_on:%m-%d} {activity.theme}")
    return "\n".join(lines)


@login_required
def report_submit(request):
    branch = _managed_branch(request)
    month = _month_param(request) or selectors.report_due_month()
    existing = MonthlyReport.objects.filter(branch=branch, month=month).first()
    initial = {"month": month, "text": existing.text if existing else _report_draft(branch, month)}
    form = forms.ReportForm(request.POST or None, initial=initial)

    def save(data):
        services.monthly_report_submit(actor=request.user, branch=branch, month=data["month"], text=data["text"])
        return reverse("activity:reports") + f"?branch={branch.pk}"

    due = selectors.report_due_on(month)
    intro = _("%(branch)s · due %(due)s") % {"branch": branch.full_name, "due": f"{due:%Y-%m-%d}"}
    return _form_page(
        request,
        form,
        title=_("Send the monthly report"),
        on_valid=save,
        back=reverse("activity:home") + f"?branch={branch.pk}",
        intro=intro,
        submit=_("Send upward"),
        done=_("The report was sent."),
    )


# --- supervision ------------------------------------------------------------------------------------


def _supervision_target(request):
    org_id = request.GET.get("org")
    if org_id:
        org = selectors.org_by_id(org_id)
        if org is None:
            raise Http404
        if not permissions.can_supervise(request.user, org):
            raise PermissionDenied
    else:
        org = selectors.supervision_orgs(actor=request.user).first()
        if org is None:
            raise PermissionDenied
    month = _month_param(request)
    year_raw = request.GET.get("year", "")
    year = month.year if month else (int(year_raw) if year_raw.isdecimal() and 2000 <= int(year_raw) <= 2100 else None)
    return org, year or timezone.localdate().year, month


@login_required
def supervision(request):
    """Who held the day, attendance, absences in a row, overdue questions, reports and cases, for any
    organization one level at a time, by month or year, with a chart."""
    org, year, month = _supervision_target(request)
    report = selectors.supervision_report(org=org, year=year, month=month)
    j = jurisdiction_of(request.user)
    lineage = [o for o in org.lineage(include_self=False) if j.administers(o)]
    chart = {
        "labels": [f"{m.month}月" for m, _f in report.by_month],
        "coverage": [round(f.coverage * 100, 1) if f.coverage is not None else None for _m, f in report.by_month],
        "attendance": [
            round(f.attendance_rate * 100, 1) if f.attendance_rate is not None else None for _m, f in report.by_month
        ],
        "coverageLabel": _("Branches that held the day (%)"),
        "attendanceLabel": _("Attendance rate (%)"),
    }
    query = f"org={org.pk}&" + (f"month={month:%Y-%m}" if month else f"year={year}")
    return render(
        request,
        "activity/supervision.html",
        {
            "report": report,
            "lineage": lineage,
            "chart": chart,
            "query": query,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "month_value": f"{month:%Y-%m}" if month else "",
            "prev_month": previous_month(month) if month else None,
            "next_month": next_month(month) if month else None,
            "orgs": selectors.supervision_orgs(actor=request.user),
        },
    )


@login_required
def supervision_export(request):
    org, year, month = _supervision_target(request)
    report = selectors.supervision_report(org=org, year=year, month=month)
    response = HttpResponse(export.supervision_workbook(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export.filename(report)}"'
    return response


# --- excellent cases --------------------------------------------------------------------------------


@login_required
def case_list(request):
    cases = selectors.case_list(actor=request.user)
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    return render(request, "activity/cases.html", {"page": page})


@login_required
def case_detail(request, pk: int):
    case = get_object_or_404(selectors.case_list(actor=request.user), pk=pk)
    return render(
        request,
        "activity/case.html",
        {
            "case": case,
            "can_publish": permissions.can_publish_case(request.user, case),
            "withdraw_form": forms.ReasonForm(),
        },
    )


@login_required
@require_POST
def case_mark(request, pk: int):
    activity = _visible_activity(request, pk)
    form = forms.CaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a title and say what makes it excellent."))
        return redirect("activity:detail", pk=activity.pk)
    try:
        case = services.case_mark(actor=request.user, activity=activity, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("activity:detail", pk=activity.pk)
    messages.success(request, _("Marked as an excellent case."))
    return redirect("activity:case", pk=case.pk)


@login_required
@require_POST
def case_action(request, pk: int, step: str):
    case = get_object_or_404(selectors.case_list(actor=request.user), pk=pk)
    try:
        if step == "publish":
            services.case_publish(actor=request.user, case=case)
        else:
            form = forms.ReasonForm(request.POST)
            services.case_withdraw(
                actor=request.user, case=case, reason=form.data.get("reason", "") if form.is_valid() else ""
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("activity:case", pk=case.pk)


# --- rules and the calendar -------------------------------------------------------------------------


@login_required
def rule_list(request):
    """The day rules of the admin's organizations (and those above a secretary's branch), with the dates
    they give this year and next; a year without a calendar is named, not guessed."""
    rules = list(selectors.rule_list(actor=request.user))
    year = timezone.localdate().year
    raw = request.GET.get("year", "")
    if raw.isdecimal() and 2000 <= int(raw) <= 2100:
        year = int(raw)
    workdays = Workdays()
    current = {}
    for rule in rules:
        current.setdefault(rule.organization_id, rule)
    tables = [
        {"rule": rule, "dates": [rule_date(rule, date(year, m, 1), workdays) for m in range(1, 13)]}
        for rule in current.values()
    ]
    return render(
        request,
        "activity/rules.html",
        {
            "rules": rules,
            "tables": tables,
            "year": year,
            "years": [year - 1, year, year + 1],
            "calendar_missing": not workdays.has_year(year),
            "can_set": selectors.rule_orgs_for(actor=request.user).exists(),
            "can_enter_calendar": permissions.can_enter_calendar(request.user),
        },
    )


@login_required
def rule_new(request):
    organizations = selectors.rule_orgs_for(actor=request.user)
    if not organizations.exists():
        raise PermissionDenied
    today = timezone.localdate()
    form = forms.RuleForm(
        request.POST or None,
        organizations=organizations,
        initial={
            "organization": organizations.filter(kind=Organization.Kind.COUNTY).first() or organizations.first(),
            "kind": "weekday",
            "week": 1,
            "weekday": 4,
            "effective_from": next_month(today),
            "on_tie": "later",
        },
    )

    def save(data):
        services.day_rule_set(actor=request.user, **data)
        return reverse("activity:rules")

    return _form_page(
        request,
        form,
        title=_("Fix the activity day"),
        on_valid=save,
        back=reverse("activity:rules"),
        intro=_(
            "The day is fixed once a month for the branches below (各设区市一般以县为单位统一固定). On a public "
            "holiday or a weekend it moves to the nearest working day of the same month."
        ),
    )


@login_required
def calendar_page(request):
    years = selectors.calendar_years()
    form = None
    if permissions.can_enter_calendar(request.user):
        wanted = request.GET.get("year", "")
        initial = {"year": int(wanted)} if wanted.isdecimal() and len(wanted) == 4 else {}
        form = forms.CalendarForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.calendar_year_save(
                    actor=request.user,
                    year=data["year"],
                    document=data["document"],
                    holidays=data["holidays"],
                    workdays=data["workdays"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The calendar of %(year)s was saved.") % {"year": data["year"]})
                return redirect("activity:calendar")
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "activity/calendar.html", {"years": years, "form": form})
