"""Reads of pools, instructors, intake and rosters, scoped by what the actor may see."""

from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from orgs.models import Organization, Role
from orgs.selectors import IdFilter, jurisdiction_of

from .models import (
    LEVEL_OF_KIND,
    Call,
    Category,
    Instructor,
    InstructorStatusChange,
    Level,
    Pool,
    Recommendation,
    RosterEntry,
    RosterVersion,
    SubArea,
    Suggestion,
    Topic,
)
from .rules import CATEGORY_WORDS, LEVEL_WORDS, category_from_word, level_from_word

# --- pools -----------------------------------------------------------------------------------------


def with_seat_use(qs: QuerySet[Pool]) -> QuerySet[Pool]:
    """Annotate ``seats`` (appointed + suspended), ``active`` and ``reserves`` in the same query."""
    return qs.annotate(
        seats=Count("instructors", filter=Q(instructors__status__in=Instructor.SEAT_STATUSES)),
        active=Count("instructors", filter=Q(instructors__status=Instructor.Status.APPOINTED)),
        reserves=Count("instructors", filter=Q(instructors__status=Instructor.Status.RESERVE)),
    )


def seats_in_use(pool: Pool) -> int:
    return pool.instructors.filter(status__in=Instructor.SEAT_STATUSES).count()


def bookable_pools(branch: Organization) -> QuerySet[Pool]:
    """The pools a branch may book from: those of the organizations on its lineage.

    That is its county's, its city's and the province's pool, plus the pool of any unit (or party
    committee) it belongs to — one indexed query on the branch's ancestor paths.
    """
    return Pool.objects.filter(organization__path__in=branch.ancestor_paths(), is_active=True).select_related(
        "organization"
    )


def bookable_instructors(branch: Organization) -> QuerySet[Instructor]:
    """Active instructors of the pools the branch may book from."""
    return Instructor.objects.filter(
        status=Instructor.Status.APPOINTED,
        pool__organization__path__in=branch.ancestor_paths(),
        pool__is_active=True,
    )


def pool_list_public() -> QuerySet[Pool]:
    return (
        with_seat_use(Pool.objects.filter(is_active=True)).select_related("organization").order_by("organization__path")
    )


def pool_list(*, actor) -> QuerySet[Pool]:
    """Pools the actor manages or supervises (its admin subtrees)."""
    j = jurisdiction_of(actor)
    qs = Pool.objects.all() if j.is_superuser else Pool.objects.filter(j.admin_q("organization"))
    return with_seat_use(qs).select_related("organization").order_by("organization__path")


def pools_managed_by(actor) -> QuerySet[Pool]:
    j = jurisdiction_of(actor)
    if j.is_superuser:
        return Pool.objects.all().order_by("organization__path")
    return Pool.objects.filter(organization_id__in=j.org_ids(Role.ORG_ADMIN)).order_by("organization__path")


def orgs_without_pool(actor) -> QuerySet[Organization]:
    """Departments the actor administers that could open a pool and have none yet."""
    j = jurisdiction_of(actor)
    return Organization.objects.filter(
        pk__in=j.org_ids(Role.ORG_ADMIN), instructor_pool__isnull=True, kind__in=list(LEVEL_OF_KIND)
    ).order_by("path")


# --- instructors -----------------------------------------------------------------------------------


class _WordField(forms.CharField):
    """A choice given by its code (``theory``) or its Chinese name (理论政策); an unknown one is a 400."""

    def parse(self, value: str):  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        parsed = self.parse(value)
        if parsed is None:
            raise forms.ValidationError(_("Unknown value “%(value)s”."), code="invalid", params={"value": value})
        return parsed


class LevelField(_WordField):
    def parse(self, value):
        return level_from_word(value)


class CategoryField(_WordField):
    def parse(self, value):
        return category_from_word(value)


class SubAreaField(_WordField):
    """A sub-area by id or by name (a name may exist in several categories)."""

    def parse(self, value):
        lookup = Q(pk=int(value)) if value.isdigit() else Q(name=value)
        return list(SubArea.objects.filter(lookup).values_list("pk", flat=True)) or None

    def clean(self, value):
        value = forms.CharField.clean(self, value)
        if not value:
            return value
        parsed = self.parse(value)
        if parsed is None:  # a well-formed name or id that matches no sub-area
            raise forms.ValidationError(_("Unknown value “%(value)s”."), code="does_not_exist", params={"value": value})
        return parsed


def _words(names: dict, values, suffix: str = "") -> list[str]:
    """Every word a filter takes for a choice: the codes, the Chinese names (and with ``suffix``)."""
    return [*values, *names, *(f"{name}{suffix}" for name in names if suffix)]


@extend_schema_field({"type": "string", "enum": _words(LEVEL_WORDS, Level.values)})
class LevelFilter(django_filters.CharFilter):
    field_class = LevelField


@extend_schema_field({"type": "string", "enum": _words(CATEGORY_WORDS, Category.values, "类")})
class CategoryFilter(django_filters.CharFilter):
    field_class = CategoryField


class SubAreaFilter(django_filters.CharFilter):
    field_class = SubAreaField


def _caseless(text: str) -> bool:
    """True when no character of ``text`` is a letter outside the CJK ideographs (which have no case,
    and which no other character's upper or lower case produces)."""
    return all(not ch.isalpha() or "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


class InstructorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("text"))
    level = LevelFilter(field_name="pool__level", label=_("level"))
    category = CategoryFilter(field_name="category", label=_("category"))
    sub_area = SubAreaFilter(method="filter_sub_area", label=_("sub-area"))
    pool = IdFilter(field_name="pool_id", label=_("pool"))
    status = django_filters.MultipleChoiceFilter(choices=Instructor.Status.choices, label=_("status"))
    code = django_filters.CharFilter(field_name="code", label=_("instructor code"))

    class Meta:
        model = Instructor
        fields = ["q", "level", "category", "sub_area", "pool", "status", "code"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Text without letters that have a case (Chinese, digits) matches the same with or without case
        # folding; PostgreSQL's UPPER() over every row is most of the search's time, so skip it then.
        contains = "contains" if _caseless(value) else "icontains"
        # One uncorrelated subquery (hashed once by PostgreSQL) rather than one topic lookup per instructor.
        topic_match = Topic.objects.filter(Q(**{f"title__{contains}": value}) | Q(**{f"abstract__{contains}": value}))
        return queryset.filter(
            Q(**{f"name__{contains}": value})
            | Q(code__iexact=value)
            | Q(**{f"employer__{contains}": value})
            | Q(**{f"title__{contains}": value})
            | Q(**{f"bio__{contains}": value})
            | Q(pk__in=topic_match.values("instructor_id"))
        )

    def filter_sub_area(self, queryset, name, value):
        tagged = SubArea.instructors.through.objects.filter(instructor=OuterRef("pk"), subarea__in=value)
        return queryset.filter(Exists(tagged))


def apply_instructor_filters(qs: QuerySet[Instructor], filters) -> QuerySet[Instructor]:
    """Filter by the API's query parameters; bad values raise ValidationError (a 400 in the API)."""
    filterset = InstructorFilter(filters, queryset=qs)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors.as_data())  # keeps each error's code
    return filterset.qs


def _with_related(qs: QuerySet[Instructor]) -> QuerySet[Instructor]:
    return qs.select_related("pool", "pool__organization").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("order", "id")),
        Prefetch("sub_areas", queryset=SubArea.objects.order_by("order", "id")),
    )


def public_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Instructor.Status.APPOINTED, f"{prefix}pool__is_active": True})


def instructor_list(*, actor, filters: dict | None = None, related: bool = True) -> QuerySet[Instructor]:
    """Instructors the actor may see.

    Everyone (anonymous too) sees active instructors of active pools; admins see every status in the
    pools of their admin subtrees; an instructor sees themself.
    """
    j = jurisdiction_of(actor)
    if j.is_superuser:
        qs = Instructor.objects.all()
    else:
        visible = public_q()
        if actor is not None and actor.is_authenticated:
            visible |= Q(user=actor)
            if j.admin_paths:
                visible |= j.admin_q("pool__organization")
        qs = Instructor.objects.filter(visible)
    if filters is not None:
        qs = apply_instructor_filters(qs, filters)
    qs = qs.order_by("pool__organization__path", "category", "code")
    return _with_related(qs) if related else qs


def instructor_public_list(*, filters: dict | None = None) -> QuerySet[Instructor]:
    return instructor_list(actor=None, filters=filters)


def instructor_get(*, actor, pk: int) -> Instructor:
    """One instructor the actor may see (raises Instructor.DoesNotExist otherwise)."""
    return instructor_list(actor=actor).get(pk=pk)


def instructor_for_user(user) -> Instructor | None:
    if user is None or not user.is_authenticated:
        return None
    return Instructor.objects.select_related("pool", "pool__organization").filter(user=user).first()


def instructor_history(instructor: Instructor) -> QuerySet[InstructorStatusChange]:
    return instructor.status_changes.select_related("actor").order_by("created_at", "id")


def category_counts(qs: QuerySet[Instructor]) -> dict[str, int]:
    rows = qs.order_by().values_list("category").annotate(n=Count("id"))
    return dict(rows)


def sub_areas_by_category() -> dict[str, list[SubArea]]:
    out: dict[str, list[SubArea]] = {value: [] for value in Category.values}
    for sub_area in SubArea.objects.order_by("category", "order", "id"):
        out.setdefault(sub_area.category, []).append(sub_area)
    return out


LEVEL_ORDER = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.UNIT]

# --- intake ----------------------------------------------------------------------------------------


def call_list(*, actor) -> QuerySet[Call]:
    """Calls of pools the actor manages or supervises, calls it reviews, and open calls it may answer.

    A call is answered by organizations inside the pool's organization, so an admin or secretary sees
    the open calls of every pool on the lineage of the organizations it serves.
    """
    j = jurisdiction_of(actor)
    qs = Call.objects.select_related("pool", "pool__organization", "created_by")
    if j.is_superuser:
        return qs.order_by("-created_at", "-id")
    visible = Q(reviewers=actor) if actor.is_authenticated else Q(pk__in=[])
    if j.admin_paths:
        visible |= j.admin_q("pool__organization")
    step = Organization.steplen
    lineage_paths = {p[: i * step] for p in j.paths for i in range(1, len(p) // step + 1)}
    if lineage_paths:
        visible |= Q(status=Call.Status.OPEN, pool__organization__path__in=lineage_paths)
    return qs.filter(pk__in=Call.objects.filter(visible).values("pk")).order_by("-created_at", "-id")


def with_scores(qs: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    return qs.annotate(
        review_count=Count("reviews"),
        mean_basic=Avg("reviews__score_basic"),
        mean_teaching=Avg("reviews__score_teaching"),
        mean_research=Avg("reviews__score_research"),
    )


def recommendation_list(*, actor, call: Call | None = None) -> QuerySet[Recommendation]:
    """Recommendations the actor may see: all in pools it manages or supervises, those of calls it
    reviews, and those its own organizations made."""
    j = jurisdiction_of(actor)
    qs = Recommendation.objects.select_related(
        "call", "call__pool", "call__pool__organization", "instructor", "recommending_org", "recommended_by"
    )
    if not j.is_superuser:
        visible = Q(call__reviewers=actor) | Q(recommended_by=actor)
        if j.admin_paths:
            visible |= j.admin_q("call__pool__organization")
        if j.paths:
            visible |= j.q("recommending_org")
        qs = qs.filter(pk__in=Recommendation.objects.filter(visible).values("pk"))
    if call is not None:
        qs = qs.filter(call=call)
    return with_scores(qs).order_by("-created_at", "-id")


def recommendation_get(*, actor, pk: int) -> Recommendation:
    return recommendation_list(actor=actor).get(pk=pk)


def combined_score(recommendation: Recommendation):
    """The weighted mean of the reviewers' means, or None before the first review."""
    if not getattr(recommendation, "review_count", None):
        return None
    return recommendation.call.combine(
        recommendation.mean_basic, recommendation.mean_teaching, recommendation.mean_research
    )


def reviews_awaited_from(user) -> QuerySet[Recommendation]:
    """Candidates under review in calls the user reviews, not yet scored by the user."""
    return Recommendation.objects.filter(
        call__reviewers=user, instructor__status=Instructor.Status.UNDER_REVIEW
    ).exclude(reviews__reviewer=user)


# --- rosters ---------------------------------------------------------------------------------------


def roster_list(*, pool: Pool | None = None) -> QuerySet[RosterVersion]:
    """Published roster documents: public, as the source publishes them (以文件形式公布)."""
    qs = RosterVersion.objects.select_related("pool", "pool__organization", "published_by")
    if pool is not None:
        qs = qs.filter(pool=pool)
    return qs.order_by("-published_at", "-id")


def roster_entries(roster: RosterVersion, *, on_roster: bool | None = None) -> QuerySet[RosterEntry]:
    qs = roster.entries.all()
    if on_roster is True:
        qs = qs.exclude(change=RosterEntry.Change.REMOVED)
    elif on_roster is False:
        qs = qs.filter(change=RosterEntry.Change.REMOVED)
    return qs.order_by("category", "code")


def roster_latest(pool: Pool) -> RosterVersion | None:
    return pool.roster_versions.order_by("-version").first()


# --- suggestions -----------------------------------------------------------------------------------


def suggestion_list(*, actor) -> QuerySet[Suggestion]:
    """An instructor's own suggestions, and those sent to the pools the actor manages."""
    j = jurisdiction_of(actor)
    qs = Suggestion.objects.select_related("instructor", "pool", "answered_by")
    if not j.is_superuser:
        qs = qs.filter(Q(instructor__user=actor) | Q(pool__organization_id__in=j.org_ids(Role.ORG_ADMIN)))
    return qs.order_by("-created_at", "-id")


# --- to-do counts ----------------------------------------------------------------------------------


def calls_closing_soon(actor, *, days: int = 7) -> QuerySet[Call]:
    today = timezone.localdate()
    return Call.objects.filter(
        pool__in=pools_managed_by(actor),
        status=Call.Status.OPEN,
        deadline__gte=today,
        deadline__lte=today + timedelta(days=days),
    )
