"""The organizations and accounts of the demo province (``manage.py seed_demo``).

Later steps find what this one built in ``ctx.orgs`` and ``ctx.users`` under the keys below.
"""

import csv
from pathlib import Path

from .models import Organization, Role, User
from .services import org_bulk_create, org_create, role_grant, user_create

DIVISIONS = Path(__file__).resolve().parent / "data" / "jiangsu-divisions.csv"

# (county key "city/county", committee, [branches]); the first county's branches hold the demo
# secretaries, the rest give sibling subtrees for the jurisdiction rules to tell apart.
DEMO_UNITS = [
    (
        "南京市/江宁区",
        "江宁区东山街道党工委",
        ["东山街道佳湖社区党支部", "东山街道上坊村党支部", "东山街道机关第一党支部"],
    ),
    ("南京市/江宁区", "江宁区秣陵街道党工委", ["秣陵街道殷巷社区党支部", "秣陵街道元山村党支部"]),
    ("南京市/玄武区", "玄武区玄武门街道党工委", ["玄武门街道新华社区党支部", "玄武门街道樱铁村社区党支部"]),
    ("徐州市/沛县", "沛县沛城街道党工委", ["沛城街道汉兴社区党支部", "沛城街道沛公村党支部"]),
    ("苏州市/昆山市", "昆山市玉山镇党委", ["玉山镇城北社区党支部", "玉山镇同心村党支部"]),
]

DEMO_ACCOUNTS = [
    # username, full name, role, org key
    ("province_admin", "省委组织部管理员", Role.ORG_ADMIN, "province"),
    ("nanjing_admin", "南京市委组织部管理员", Role.ORG_ADMIN, "nanjing"),
    ("jiangning_admin", "江宁区委组织部管理员", Role.ORG_ADMIN, "jiangning"),
    ("secretary", "王建华", Role.SECRETARY, "branch"),
    ("secretary2", "李秀英", Role.SECRETARY, "branch2"),
    ("xuzhou_secretary", "张志强", Role.SECRETARY, "xuzhou_branch"),
    ("member", "陈晓明", Role.MEMBER, "branch"),
    ("instructor", "周立新", None, None),  # the pool step makes this user a provincial instructor
]


def divisions() -> list[dict]:
    with DIVISIONS.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def build_divisions() -> dict[str, Organization]:
    """The province, its 13 cities and 95 counties, keyed "江苏省", "南京市" and "南京市/鼓楼区"."""
    province = org_create(parent=None, name="江苏省", kind=Organization.Kind.PROVINCE, code="32")
    rows = divisions()
    cities: dict[str, str] = {}
    for row in rows:
        cities.setdefault(row["city"], row["city_code"])
    created = org_bulk_create(
        parent=province,
        children=[{"name": name, "kind": Organization.Kind.CITY, "code": code} for name, code in cities.items()],
    )
    by_key: dict[str, Organization] = {"江苏省": province}
    for city in created:
        by_key[city.name] = city
        counties = [r for r in rows if r["city"] == city.name]
        for county in org_bulk_create(
            parent=city, children=[{"name": r["county"], "kind": Organization.Kind.COUNTY} for r in counties]
        ):
            by_key[f"{city.name}/{county.name}"] = county
    return by_key


def demo(ctx) -> None:
    divisions_by_key = build_divisions()
    ctx.orgs.update(
        province=divisions_by_key["江苏省"],
        nanjing=divisions_by_key["南京市"],
        xuzhou=divisions_by_key["徐州市"],
        jiangning=divisions_by_key["南京市/江宁区"],
        xuanwu=divisions_by_key["南京市/玄武区"],
        peixian=divisions_by_key["徐州市/沛县"],
        kunshan=divisions_by_key["苏州市/昆山市"],
    )
    ctx.divisions = divisions_by_key
    ctx.branches = []
    for county_key, committee_name, branch_names in DEMO_UNITS:
        committee = org_create(
            parent=divisions_by_key[county_key], name=committee_name, kind=Organization.Kind.COMMITTEE
        )
        branches = org_bulk_create(
            parent=committee, children=[{"name": n, "kind": Organization.Kind.BRANCH} for n in branch_names]
        )
        ctx.branches.extend(branches)
        ctx.orgs.setdefault(f"committee:{county_key}", committee)
    ctx.orgs["branch"], ctx.orgs["branch2"] = ctx.branches[0], ctx.branches[1]
    ctx.orgs["xuanwu_branch"] = next(b for b in ctx.branches if b.name.startswith("玄武门"))
    ctx.orgs["xuzhou_branch"] = next(b for b in ctx.branches if b.name.startswith("沛城"))
    org_bulk_create(
        parent=ctx.orgs["branch"],
        children=[{"name": f"佳湖社区第{n}党小组", "kind": Organization.Kind.GROUP} for n in ("一", "二")],
    )
    unit = org_create(parent=ctx.orgs["province"], name="江苏省农业农村厅", kind=Organization.Kind.UNIT)
    unit_committee = org_create(parent=unit, name="省农业农村厅机关党委", kind=Organization.Kind.COMMITTEE)
    ctx.orgs["unit"] = unit
    ctx.orgs["unit_branch"] = org_bulk_create(
        parent=unit_committee, children=[{"name": "省农业农村厅办公室党支部", "kind": Organization.Kind.BRANCH}]
    )[0]
    for username, full_name, role, org_key in DEMO_ACCOUNTS:
        user = user_create(username=username, password=ctx.password, full_name=full_name, validate=False)
        ctx.users[username] = user
        if role:
            role_grant(user=user, role=role, organization=ctx.orgs[org_key])
    admin = User.objects.filter(username="admin").first() or user_create(
        username="admin", password=ctx.password, full_name="系统管理员", validate=False
    )
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    ctx.users["admin"] = admin


def scale(ctx, n: int) -> None:
    """Spread ``n`` extra branches over every county, one committee per county, in bulk."""
    counties = list(Organization.objects.filter(kind=Organization.Kind.COUNTY).order_by("path"))
    per_county = [n // len(counties) + (1 if i < n % len(counties) else 0) for i in range(len(counties))]
    ctx.scale_branch_ids = []
    for county, count in zip(counties, per_county, strict=True):
        if not count:
            continue
        existing = Organization.objects.filter(parent=county, name__startswith=f"{county.name}规模测试").count()
        committee = org_bulk_create(
            parent=county,
            children=[{"name": f"{county.name}规模测试党委{existing + 1}", "kind": Organization.Kind.COMMITTEE}],
        )[0]
        branches = org_bulk_create(
            parent=committee,
            children=[
                {"name": f"{county.name}第{i + 1}党支部", "kind": Organization.Kind.BRANCH} for i in range(count)
            ],
        )
        ctx.scale_branch_ids.extend(b.pk for b in branches)
