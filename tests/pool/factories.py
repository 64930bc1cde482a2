"""Pool test data, built through the pool's services."""

import itertools
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from pool.models import Category, Instructor, Pool, Recommendation
from pool.services import (
    call_create,
    call_review_start,
    instructor_create,
    pool_create,
    recommendation_create,
    review_submit,
)

SAMPLE = Path(__file__).resolve().parents[2] / "pool" / "data" / "sample-instructors.csv"
HEADER = "编号,姓名,性别,工作单位,职称,层级,所属,类别,专题,简介,手机,是否党员"

_codes = itertools.count(1)


def pool_for(org, **kwargs) -> Pool:
    return pool_create(organization=org, actor=None, **kwargs)


def instructor(pool: Pool, *, active: bool = True, **fields) -> Instructor:
    """An instructor of ``pool`` (appointed unless ``active=False``), with two topics."""
    n = next(_codes)
    defaults = {
        "name": f"讲师{n}",
        "gender": "female" if n % 2 else "male",
        "category": Category.THEORY,
        "code": f"T{n:05d}",
        "employer": "省委党校",
        "title": "教授",
        "phone": f"139{n:08d}",
        "topics": [{"title": f"专题{n}甲", "abstract": "摘要"}, {"title": f"专题{n}乙"}],
    }
    defaults.update(fields)
    return instructor_create(pool=pool, actor=None, active=active, **defaults)


def call_for(pool: Pool, admin, **kwargs):
    defaults = {
        "title": "年度师资征集",
        "category_counts": {Category.ECONOMY: 2, Category.THEORY: 1},
        "deadline": timezone.localdate() + timedelta(days=20),
        "reviewers": [admin],
    }
    defaults.update(kwargs)
    return call_create(pool=pool, actor=admin, **defaults)


def recommend(call, actor, org, **candidate) -> Recommendation:
    data = {
        "name": "候选人",
        "gender": "male",
        "category": Category.ECONOMY,
        "employer": "南京大学",
        "title": "副教授",
        "phone": "13800001111",
    }
    data.update(candidate)
    return recommendation_create(
        call=call,
        actor=actor,
        recommending_org=org,
        candidate=data,
        topics=[{"title": "数字经济", "abstract": "摘要"}],
        consent_given=True,
        consent_method=Recommendation.ConsentMethod.SIGNED_FORM,
        consent_date=timezone.localdate(),
    )


def reviewed(call, recommendation, reviewers_scores) -> Recommendation:
    """Send the call to review and let each (reviewer, (basic, teaching, research)) score."""
    call_review_start(call=call, actor=None)
    for reviewer, (basic, teaching, research) in reviewers_scores:
        review_submit(
            recommendation=recommendation,
            reviewer=reviewer,
            score_basic=basic,
            score_teaching=teaching,
            score_research=research,
        )
    return recommendation


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\ufeff" + "\n".join([header, *rows]) + "\n").encode("utf-8")


def term() -> dict:
    today = timezone.localdate()
    return {"agreement_date": today, "term_start": today, "term_end": date(today.year + 3, 1, 1)}
