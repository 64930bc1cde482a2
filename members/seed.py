"""Demo members for ``seed_demo`` (step order 20), and ``--scale`` members in bulk.

The demo: 12–20 members in each demo branch; the demo user ``member`` linked to a member of
``secretary``'s branch; a leading cadre, a probationary member whose year ends in three weeks, a member
exempted from record keeping, activists and a candidate; a mobile member flowing out of ``secretary``'s
branch and registered at ``xuzhou_secretary``'s branch with a contact log and notices; another on the
way there, waiting to be registered from the certificate number; a co-management agreement.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from orgs.models import Organization

from . import services
from .identity import make_id_number
from .models import (
    PROBATION_MONTHS,
    Activist,
    DuesCategory,
    Gender,
    Member,
    MemberStatusChange,
    MobileContact,
    Partnership,
    Probation,
    add_months,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建华秀英志强晓明立新国庆海燕玉兰文杰俊峰丽娟红梅永刚春燕德胜淑珍桂芳建国振宇思远雨欣子涵浩然嘉怡"


def _name(serial: int) -> str:
    given = GIVEN[(serial * 7) % (len(GIVEN) - 1) : (serial * 7) % (len(GIVEN) - 1) + 2]
    return SURNAMES[serial % len(SURNAMES)] + (given if serial % 3 else given[:1])


def _next_serial() -> int:
    return Member.objects.count() + Activist.objects.count() + 1


def _person(serial: int, area: str, *, born_base: date = date(1950, 1, 1), spread_days: int = 14500) -> dict:
    # An ID number is unique when (area, birth date, serial % 500) is: for a fixed serial % 500 the
    # birth date grows with serial // 500.
    born = born_base + timedelta(days=(serial % 500) * 29 % spread_days + serial // 500)
    male = serial % 2 == 0
    return {
        "name": _name(serial),
        "id_number": make_id_number(area, born, serial, male=male),
        "phone": f"139{serial:08d}",
        "gender": Gender.MALE if male else Gender.FEMALE,
        "born": born,
    }


def _area(branch: Organization) -> str:
    city = Organization.objects.filter(path=branch.path[: 2 * Organization.steplen]).first()
    return f"{(city.code if city and city.code else '3200')}01"


def demo(ctx) -> None:
    today = timezone.localdate()
    admin = ctx.users["admin"]
    secretary = ctx.users["secretary"]
    home = ctx.orgs["branch"]
    xuzhou = ctx.orgs["xuzhou_branch"]
    serial = _next_serial()
    by_branch: dict[int, list[Member]] = {}
    for index, branch in enumerate(ctx.branches):
        area = _area(branch)
        actor = secretary if branch.pk == home.pk else admin
        groups = list(Organization.objects.filter(parent=branch, kind=Organization.Kind.GROUP).order_by("path"))
        created = []
        for i in range(12 + (index * 5) % 9):
            p = _person(serial, area)
            serial += 1
            joined = date(1975 + (serial % 45), 1 + serial % 12, 1 + serial % 27)
            retiree = p["born"] < date(1962, 1, 1)
            created.append(
                services.member_create(
                    actor=actor,
                    branch=branch,
                    name=p["name"],
                    id_number=p["id_number"],
                    phone=p["phone"],
                    gender=p["gender"],
                    joined_on=max(joined, p["born"] + timedelta(days=365 * 19)),
                    group=groups[i % len(groups)] if groups else None,
                    dues_category=DuesCategory.RETIREE if retiree else DuesCategory.EMPLOYED,
                    monthly_income=Decimal(3200 + (serial * 37) % 9000),
                )
            )
        by_branch[branch.pk] = created
    ctx.extra["members_by_branch"] = {pk: [m.pk for m in ms] for pk, ms in by_branch.items()}

    # The demo user "member" (陈晓明) is a member of secretary's branch.
    area = _area(home)
    p = _person(serial, area, born_base=date(1988, 3, 1), spread_days=3650)
    serial += 1
    demo_member = services.member_create(
        actor=secretary,
        branch=home,
        name=ctx.users["member"].full_name or "陈晓明",
        id_number=p["id_number"],
        phone=p["phone"],
        gender=p["gender"],
        joined_on=date(2012, 7, 1),
        user=ctx.users["member"],
        monthly_income=Decimal("6800.00"),
    )
    ctx.extra["member"] = demo_member
    home_members = by_branch[home.pk]
    services.member_update(actor=secretary, member=home_members[0], changes={"is_leading_cadre": True})

    # A probationary member whose year ends in three weeks.
    p = _person(serial, area, born_base=date(1998, 5, 1), spread_days=1000)
    serial += 1
    probationary = services.member_create(
        actor=secretary,
        branch=home,
        name="孙雨欣",
        id_number=p["id_number"],
        phone=p["phone"],
        gender=p["gender"],
        joined_on=add_months(today + timedelta(days=21), -PROBATION_MONTHS),
        status=Member.Status.PROBATIONARY,
    )
    ctx.extra["probationary_member"] = probationary

    # An elderly member exempted from record keeping, approved by the county.
    elderly = home_members[1]
    exemption = services.exemption_request(
        actor=secretary, member=elderly, reason="elderly_ill", details="年逾八旬，长期卧床，经支委会研究提出申请。"
    )
    services.exemption_approve(actor=ctx.users["jiangning_admin"], exemption=exemption, notes="同意。")

    # Activists and a candidate for admission.
    for k, (name, since) in enumerate([("郑嘉怡", 400), ("冯浩然", 200), ("曹子涵", 90)]):
        p = _person(serial, area, born_base=date(1996, 1, 1), spread_days=2000)
        serial += 1
        activist = services.activist_create(
            actor=secretary,
            branch=home,
            name=name,
            id_number=p["id_number"],
            phone=p["phone"],
            gender=p["gender"],
            applied_on=today - timedelta(days=since + 60),
            activist_since=today - timedelta(days=since),
            mentors="王建华、李秀英",
        )
        if k == 0:
            services.activist_promote(actor=secretary, activist=activist, candidate_since=today - timedelta(days=30))

    # A mobile member registered at xuzhou_secretary's branch, with contacts and notices.
    away = home_members[2]
    left_on = date(today.year - 1, 3, 15)
    county_code = "320115"  # 南京市江宁区, which numbers the certificates of its branches
    mobile = services.mobile_outflow_register(
        actor=secretary,
        member=away,
        certificate_number=f"{county_code}-{left_on.year}-00001",
        destination="徐州市沛县（务工）",
        reason="外出务工",
        left_on=left_on,
        certificate_issued_on=left_on,
        certificate_valid_until=date(today.year + 1, 12, 31),
        inflow_branch=xuzhou,
        pre_departure_talk="行前谈话：按时参加流入地党组织生活，按月交纳党费，每季度与支部联系。",
    )
    services.mobile_inflow_register(
        actor=ctx.users["xuzhou_secretary"],
        membership=mobile,
        branch=xuzhou,
        registered_on=left_on + timedelta(days=10),
        certificate_verified=True,
    )
    contact_days = [left_on + timedelta(days=d) for d in range(100, (today - left_on).days - 100, 91)]
    MobileContact.objects.bulk_create(
        MobileContact(
            membership=mobile,
            contacted_on=day,
            method=MobileContact.Method.PHONE,
            situation="思想稳定，工作顺利，生活正常。",
            matters_notified="通报支部近期重要工作安排。",
            recorded_by=secretary,
        )
        for day in contact_days
    )
    services.mobile_notice_send(
        actor=ctx.users["xuzhou_secretary"],
        membership=mobile,
        kind="situation",
        subject="流动党员参加组织生活情况",
        body="该同志按时参加我支部党员活动日，表现良好。",
    )
    services.mobile_participation_record(
        actor=ctx.users["xuzhou_secretary"],
        membership=mobile,
        kind="dues",
        occurred_on=today - timedelta(days=5),
        description="交纳党费",
        dues_amount=Decimal("30.00"),
        dues_month=today.replace(day=1),
    )
    ctx.extra["mobile"] = mobile

    # Another member on the way to xuzhou_secretary's branch: registered from the certificate in the demo.
    pending = services.mobile_outflow_register(
        actor=secretary,
        member=home_members[3],
        destination="徐州市沛县沛城街道",
        reason="投靠子女",
        left_on=today - timedelta(days=7),
        certificate_issued_on=today - timedelta(days=8),
        certificate_valid_until=date(today.year + 2, 12, 31),
        certificate_number=f"{county_code}-{today.year}-00002",
        inflow_branch=xuzhou,
    )
    ctx.extra["pending_mobile"] = pending

    services.partnership_create(
        actor=ctx.users["jiangning_admin"],
        kind=Partnership.Kind.AGREEMENT,
        outflow_org=home.parent,
        inflow_org=xuzhou.parent,
        title="东山街道—沛城街道流动党员双向共管协议",
        signed_on=today - timedelta(days=200),
        duties="流出地提供流动党员名册并每季度联系；流入地及时编入支部、记录组织生活与党费。",
        targets="流动党员100%纳入组织管理，每季度互通信息一次。",
        safeguards="双方明确专人负责，半年会商一次。",
        review_interval_months=6,
        document_number="东山党工委〔2026〕3号",
    )


def scale(ctx, n: int) -> None:
    """About 20 members in each branch of ``ctx.scale_branch_ids``: encrypted one by one, inserted in bulk."""
    branch_ids = list(ctx.scale_branch_ids)
    if not branch_ids:
        return
    branches = list(Organization.objects.filter(pk__in=branch_ids).only("pk", "path"))
    city_codes = dict(Organization.objects.filter(kind=Organization.Kind.CITY).values_list("path", "code"))
    serial = _next_serial()
    today = timezone.localdate()
    batch: list[Member] = []

    def flush():
        Member.objects.bulk_create(batch, batch_size=2000)
        MemberStatusChange.objects.bulk_create(
            [MemberStatusChange(member=m, to_status=m.status, reason="规模测试") for m in batch], batch_size=5000
        )
        Probation.objects.bulk_create(
            [
                Probation(member=m, starts_on=m.joined_on, ends_on=add_months(m.joined_on, PROBATION_MONTHS))
                for m in batch
                if m.status == Member.Status.PROBATIONARY
            ],
            batch_size=5000,
        )
        batch.clear()

    for branch in branches:
        area = f"{city_codes.get(branch.path[: 2 * Organization.steplen]) or '3200'}01"
        for i in range(18 + serial % 5):
            p = _person(serial, area)
            serial += 1
            probationary = i == 0
            joined = (
                add_months(today, -(serial % 11) - 1)
                if probationary
                else max(date(1980 + serial % 40, 1 + serial % 12, 1 + serial % 27), p["born"] + timedelta(days=7000))
            )
            member = Member(
                branch_id=branch.pk,
                name=p["name"],
                gender=p["gender"],
                birth_date=p["born"],
                joined_on=joined,
                status=Member.Status.PROBATIONARY if probationary else Member.Status.FULL,
                full_since=None if probationary else add_months(joined, PROBATION_MONTHS),
                dues_category=DuesCategory.EMPLOYED,
                monthly_income=Decimal(3000 + serial % 8000),
            )
            member.set_personal_data(id_number=p["id_number"], phone=p["phone"])
            batch.append(member)
        if len(batch) >= 5000:
            flush()
    flush()
