"""The pool's part of ``seed_demo``: pools, the sample instructors, the demo instructor and an intake
in flight; ``scale`` fills every pool to a realistic size (about 5,200 instructors) for benchmarks.

Later steps find ``ctx.extra["pool"]``: {"province": Pool, "instructor": Instructor, "call": Call}.
"""

import csv
import io
import random
from datetime import timedelta
from pathlib import Path

from django.db.models import Count, Q
from django.utils import timezone

from orgs.models import Organization

from .imports import HEADER
from .models import Category, Instructor, Level, Pool, Recommendation
from .services import (
    call_create,
    call_review_start,
    instructor_appoint,
    instructor_create,
    instructor_link_user,
    instructor_transition,
    instructors_import,
    pool_create,
    recommendation_create,
    review_submit,
    roster_publish,
    suggestion_answer,
    suggestion_send,
)

SAMPLE = Path(__file__).resolve().parent / "data" / "sample-instructors.csv"

# Realistic sizes for ``scale``: the source's "100 人左右" and the middle of "30—50 人".
SCALE_TARGET = {Level.PROVINCE: 100, Level.CITY: 100, Level.COUNTY: 40, Level.UNIT: 0}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国建华志强晓明海燕红梅玉兰春花立新卫东振华丽萍"


def sample_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def ensure_pools(*, counties: str = "sample") -> dict[str, Pool]:
    """The provincial pool, the 13 city pools and county pools (``"sample"``: those the sample file
    names; ``"all"``: every county). Returns pools by organization full name."""
    wanted = Q(kind__in=[Organization.Kind.PROVINCE, Organization.Kind.CITY])
    if counties == "all":
        wanted |= Q(kind=Organization.Kind.COUNTY)
    else:
        names = {row["所属"] for row in sample_rows()}
        wanted |= Q(kind=Organization.Kind.COUNTY) & (Q(full_name__in=names) | Q(name__in=names))
    for org in Organization.objects.filter(wanted, instructor_pool__isnull=True).order_by("path"):
        pool_create(organization=org, actor=None)
    return {p.organization.full_name: p for p in Pool.objects.select_related("organization")}


def demo(ctx) -> None:
    # the sample names 鼓楼区 only with its city (南京市鼓楼区); other county names are unique
    pools = ensure_pools()
    # the demo county admin's pool, whether or not the sample names it
    if "南京市江宁区" not in pools:
        pools["南京市江宁区"] = pool_create(organization=ctx.orgs["jiangning"], actor=None)
    result = instructors_import(data=SAMPLE.read_bytes(), filename=SAMPLE.name, actor=None)
    ctx.log(f"    {result.created} sample instructors in {len(result.by_pool)} pools")
    province = pools["江苏省"]
    admin = ctx.users["province_admin"]

    # the demo instructor: recommended, reviewed, approved and appointed with a letter, like anyone else
    today = timezone.localdate()
    instructor = instructor_create(
        pool=province,
        actor=admin,
        code="JS-DEMO-001",
        name="周立新",
        gender="male",
        category=Category.THEORY,
        employer="中共江苏省委党校",
        title="教授",
        phone="13951234567",
        email="zhoulixin@example.org",
        service_area="全省",
        monthly_limit=6,
        bio="中共江苏省委党校党史党建教研部教授，长期从事党的建设和党史教育研究与教学，"
        "主持省部级课题多项，常年为基层党组织讲授专题党课，善于结合江苏红色资源讲好党的故事。",
        topics=[
            {
                "title": "新时代党的建设总要求解读",
                "abstract": "围绕党的政治建设、思想建设、组织建设、作风建设、纪律建设，结合基层党支部实际讲解。",
            },
            {
                "title": "雨花英烈精神与江苏红色资源",
                "abstract": "以雨花英烈事迹为线索，讲述江苏红色资源中的初心使命，适合主题党日和专题党课。",
            },
            {"title": "如何上好一堂专题党课", "abstract": "面向支部书记：选题、备课、讲授与互动的方法。"},
        ],
    )
    for step in (Instructor.Status.UNDER_REVIEW, Instructor.Status.APPROVED):
        instructor_transition(instructor=instructor, actor=admin, to_status=step, reason="演示数据")
    instructor_appoint(
        instructor=instructor,
        actor=admin,
        agreement_date=today - timedelta(days=30),
        term_start=today - timedelta(days=30),
        term_end=(today - timedelta(days=30)).replace(year=today.year + 2),
    )
    instructor = instructor_link_user(instructor=instructor, actor=admin, user=ctx.users["instructor"])
    suggestion = suggestion_send(
        instructor=instructor,
        actor=ctx.users["instructor"],
        about="teaching",
        subject="建议为基层党课配备多媒体设备",
        body="部分村社区党群服务中心缺少投影设备，建议预约时注明场地条件，便于讲师提前准备。",
    )
    suggestion_answer(suggestion=suggestion, actor=admin, answer="已采纳，预约表单将增加场地条件说明。")
    suggestion_send(
        instructor=instructor,
        actor=ctx.users["instructor"],
        about="management",
        subject="希望每季度通报授课评价情况",
        body="建议师资库每季度向讲师反馈一次评价汇总，便于改进教学。",
    )

    # every pool publishes its first roster as a numbered document
    for pool in Pool.objects.order_by("organization__path"):
        roster_publish(pool=pool, actor=None, title=f"{pool.name}师资名单")

    # an intake in flight: a provincial call, two recommendations, one under review with a score
    call = call_create(
        pool=province,
        actor=admin,
        title=f"{today.year}年度省级“先锋师资库”师资征集",
        requirements="政治立场坚定，专业素质过硬，教学能力突出，具有奉献精神；中共党员优先。",
        category_counts={Category.ECONOMY: 5, Category.SKILLS: 5, Category.MODELS: 3},
        deadline=today + timedelta(days=30),
        reviewers=[admin, ctx.users["nanjing_admin"]],
    )
    first = recommendation_create(
        call=call,
        actor=ctx.users["nanjing_admin"],
        recommending_org=ctx.orgs["nanjing"],
        candidate={
            "name": "孙明远",
            "gender": "male",
            "category": Category.ECONOMY,
            "employer": "南京大学商学院",
            "title": "教授",
            "phone": "13851112233",
            "bio": "南京大学商学院教授，研究数字经济与产业转型，长期为基层干部讲授数字经济课程。",
        },
        topics=[
            {"title": "数字经济与乡村振兴", "abstract": "农村电商、直播带货与数字乡村建设的案例。"},
            {"title": "长三角一体化中的南京机遇", "abstract": "区域协调发展战略与南京都市圈。"},
        ],
        reason="教学效果突出，基层党员评价高。",
        consent_given=True,
        consent_method=Recommendation.ConsentMethod.SIGNED_FORM,
        consent_date=today - timedelta(days=2),
    )
    recommendation_create(
        call=call,
        actor=ctx.users["jiangning_admin"],
        recommending_org=ctx.orgs["jiangning"],
        candidate={
            "name": "钱秀兰",
            "gender": "female",
            "category": Category.SKILLS,
            "employer": "江宁区农业技术推广中心",
            "title": "高级农艺师",
            "phone": "13770001122",
            "bio": "长期在江宁区一线推广设施农业和绿色防控技术，带动多个村发展特色种植。",
        },
        topics=[{"title": "设施蔬菜绿色防控实用技术", "abstract": "大棚蔬菜病虫害的识别与绿色防控。"}],
        consent_given=True,
        consent_method=Recommendation.ConsentMethod.IN_PERSON,
        consent_date=today - timedelta(days=1),
    )
    # both go to review; the first has one reviewer's scores, the rest wait for the reviewers
    call_review_start(call=call, actor=admin)
    review_submit(
        recommendation=first,
        reviewer=admin,
        score_basic=88,
        score_teaching=92,
        score_research=85,
        comment="授课经验丰富，研究成果扎实。",
    )
    ctx.extra["pool"] = {"province": province, "instructor": instructor, "call": call}


def _fake_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def synthetic_rows(*, count: int, pools: list[Pool], start: int = 1, seed: int = 0) -> list[list[str]]:
    """``count`` plausible instructors (import rows) spread over ``pools``, built by recombining the
    sample's topics and bios within a category. Codes are S000001, S000002, …"""
    rng = random.Random(seed)
    rows = sample_rows()
    by_category: dict[str, list[dict]] = {}
    for row in rows:
        by_category.setdefault(row["类别"], []).append(row)
    categories = sorted(by_category)
    level_word = {Level.PROVINCE: "省级", Level.CITY: "市级", Level.COUNTY: "县级", Level.UNIT: "单位级"}
    out = []
    for n in range(count):
        pool = pools[n % len(pools)]
        category = rng.choice(categories)
        base, other = rng.choice(by_category[category]), rng.choice(by_category[category])
        topics = base["专题"].split("；")[:2] + other["专题"].split("；")[:1]
        topics = list(dict.fromkeys(topics))
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        out.append(
            [
                f"S{start + n:06d}",
                name,
                rng.choice("男女"),
                base["工作单位"],
                base["职称"],
                level_word[pool.level],
                pool.organization.full_name,
                category,
                "；".join(topics),
                base["简介"],
                _fake_phone(rng),
                rng.choice("是是是是否"),
            ]
        )
    return out


def synthetic_instructors(*, count: int, pools: list[Pool] | None = None, seed: int = 0) -> list[int]:
    """Add ``count`` synthetic active instructors (through the real import) and return their ids.

    The recommender's benchmark calls it for a pool of thousands; ``pools`` defaults to every active
    pool. Pools keep within their maximum: rows beyond it are not generated.
    """
    if count <= 0:
        return []
    pools = pools or list(Pool.objects.filter(is_active=True).select_related("organization").order_by("pk"))
    last = (
        Instructor.objects.filter(code__regex=r"^S[0-9]{6}$").order_by("-code").values_list("code", flat=True).first()
    )
    start = int(last[1:]) + 1 if last else 1
    table = synthetic_rows(count=count, pools=pools, start=start, seed=seed + start)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(table)
    result = instructors_import(data=buffer.getvalue().encode(), filename="synthetic.csv", actor=None)
    return result.instructor_ids


def scale(ctx, n: int) -> None:
    """Fill every city and county pool (opened if missing) up to a realistic size, whatever ``n``."""
    ensure_pools(counties="all")
    pools = list(
        Pool.objects.filter(is_active=True)
        .select_related("organization")
        .annotate(seats=Count("instructors", filter=Q(instructors__status__in=Instructor.SEAT_STATUSES)))
        .order_by("organization__path")
    )
    spread = []
    for pool in pools:
        room = min(SCALE_TARGET[pool.level], pool.quota_max) - pool.seats
        spread += [pool] * max(0, room)
    added = synthetic_instructors(count=len(spread), pools=spread)
    ctx.log(f"    {len(added)} synthetic instructors")
