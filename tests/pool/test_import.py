import csv
import io
from collections import Counter

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from openpyxl import Workbook, load_workbook

from orgs.models import Role
from orgs.services import role_grant
from pool.exports import instructors_xlsx
from pool.imports import ImportRejected, RowError
from pool.models import Instructor, InstructorStatusChange, Pool, Topic
from pool.selectors import instructor_list
from pool.services import instructors_import, pool_update
from tests.factories import UserFactory
from tests.pool.factories import HEADER, SAMPLE, csv_bytes

pytestmark = pytest.mark.django_db

GOOD = "X00001,张三,男,南京大学,教授,省级,江苏省,理论政策,党的创新理论；党史学习教育,长期从事党史研究。,13812345678,是"


def sample_rows():
    with SAMPLE.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def snapshot():
    return (
        Instructor.objects.count(),
        Topic.objects.count(),
        InstructorStatusChange.objects.count(),
        sorted(Instructor.objects.values_list("code", "name", "category", "updated_at")),
    )


def test_sample_file_imports_300_active_instructors(sample_imported):
    assert sample_imported.created == 300
    assert sample_imported.updated == 0
    assert Instructor.objects.filter(status=Instructor.Status.APPOINTED).count() == 300
    assert InstructorStatusChange.objects.filter(from_status="", to_status="appointed").count() == 300


def test_sample_api_counts_by_category_and_level_match_the_file(sample_imported, api):
    rows = sample_rows()
    want_category = Counter(r["类别"] for r in rows)
    want_level = Counter(r["层级"] for r in rows)

    got_category = {c: api.get("/api/v1/instructors/", {"category": c}).json()["count"] for c in want_category}
    got_level = {lv: api.get("/api/v1/instructors/", {"level": lv}).json()["count"] for lv in want_level}
    everyone = api.get("/api/v1/instructors/", {"page_size": 200, "page": 1}).json()

    assert got_category == dict(want_category)
    assert got_level == dict(want_level)
    assert everyone["count"] == 300


def test_sample_instructors_keep_code_topics_pool_and_phone(sample_imported):
    first = sample_rows()[0]
    instructor = Instructor.objects.select_related("pool__organization").get(code=first["编号"])

    assert instructor.name == first["姓名"]
    assert [t.title for t in instructor.topics.all()] == first["专题"].split("；")
    assert instructor.pool.organization.full_name == "淮安市清江浦区"
    assert instructor.phone == first["手机"]
    assert instructor.title == ""  # 无
    assert instructor.sub_areas.exists()


def test_gulou_is_resolved_by_its_city(sample_imported):
    gulou = Instructor.objects.filter(pool__organization__full_name="南京市鼓楼区")
    names = {r["姓名"] for r in sample_rows() if r["所属"] == "南京市鼓楼区"}

    assert set(gulou.values_list("name", flat=True)) == names


def test_phones_are_encrypted_at_rest(sample_imported):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM pool_instructor WHERE code = %s", ["D00001"])
        stored = cursor.fetchone()[0]

    assert stored.startswith("enc1:")
    assert "13674319546" not in stored


def test_reimport_of_the_same_codes_updates_rather_than_duplicates(sample_imported):
    text = SAMPLE.read_text(encoding="utf-8-sig").replace("卢涛,男,淮安市电力公司", "卢涛,男,淮安市供电公司")

    result = instructors_import(data=text.encode(), filename="again.csv", actor=None)

    assert (result.created, result.updated) == (0, 300)
    assert Instructor.objects.count() == 300
    assert Instructor.objects.get(code="D00001").employer == "淮安市供电公司"
    assert InstructorStatusChange.objects.count() == 300  # an update is not a status change


def test_reimport_keeps_topic_abstracts_and_drops_removed_topics(pools):
    instructors_import(data=csv_bytes(GOOD), filename="a.csv", actor=None)
    topic = Topic.objects.get(title="党的创新理论")
    topic.abstract = "讲师自己写的摘要"
    topic.save()

    changed = GOOD.replace("党的创新理论；党史学习教育", "党的创新理论；新的专题")
    instructors_import(data=csv_bytes(changed), filename="b.csv", actor=None)

    instructor = Instructor.objects.get(code="X00001")
    assert [(t.title, t.abstract) for t in instructor.topics.order_by("order")] == [
        ("党的创新理论", "讲师自己写的摘要"),
        ("新的专题", ""),
    ]


BAD_ROWS = [
    ("X00002,李四,女,南京大学,教授,省级,江苏省,天文地理,某专题,,13812345678,是", 3, "类别"),
    ("X00003,,女,南京大学,教授,省级,江苏省,理论政策,某专题,,13812345678,是", 4, "姓名"),
    ("X00004,王五,女,南京大学,教授,省级,江苏省,理论政策,某专题,,1381234,是", 5, "手机"),
]


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_imported(sample_imported):
    before = snapshot()

    with pytest.raises(ImportRejected) as exc:
        instructors_import(data=csv_bytes(GOOD, *(r for r, _row, _col in BAD_ROWS)), filename="bad.csv", actor=None)

    assert [(e.row, e.column) for e in exc.value.errors] == [(row, col) for _r, row, col in BAD_ROWS]
    assert snapshot() == before
    assert not Instructor.objects.filter(code="X00001").exists()


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("X9,张三,男,单位,教授,省级,江苏省,理论政策,专题,,13812345678,也许", "是否党员", "“否”"),
        ("X9,张三,人,单位,教授,省级,江苏省,理论政策,专题,,13812345678,是", "性别", "男"),
        ("X9,张三,男,单位,教授,县级,江苏省,理论政策,专题,,13812345678,是", "层级", "省级"),
        ("X9,张三,男,单位,教授,县级,鼓楼区,理论政策,专题,,13812345678,是", "所属", "南京市鼓楼区"),
        ("X9,张三,男,单位,教授,县级,火星县,理论政策,专题,,13812345678,是", "所属", "火星县"),
        ("X9,张三,男,单位,教授,省级,江苏省,理论政策,,,13812345678,是", "专题", ""),
        ("X 9,张三,男,单位,教授,省级,江苏省,理论政策,专题,,13812345678,是", "编号", ""),
    ],
)
def test_each_kind_of_bad_cell_names_its_column(pools, row, column, message):
    with pytest.raises(ImportRejected) as exc:
        instructors_import(data=csv_bytes(row), filename="bad.csv", actor=None)

    assert [(e.row, e.column) for e in exc.value.errors] == [(2, column)]
    assert message in exc.value.errors[0].message


def test_a_code_twice_in_one_file_is_an_error(pools):
    with pytest.raises(ImportRejected) as exc:
        instructors_import(data=csv_bytes(GOOD, GOOD.replace("张三", "张四")), filename="dup.csv", actor=None)

    assert [(e.row, e.column) for e in exc.value.errors] == [(3, "编号")]


def test_a_missing_or_unknown_column_is_reported_on_row_1(pools):
    header = "编号,姓名,性别,工作单位,职称,层级,所属,类别,专题,简介,电话,是否党员"

    with pytest.raises(ImportRejected) as exc:
        instructors_import(data=csv_bytes(GOOD, header=header), filename="h.csv", actor=None)

    assert sorted((e.row, e.column) for e in exc.value.errors) == [(1, "手机"), (1, "电话")]


def test_an_admin_imports_only_into_pools_it_manages(divisions, pools):
    county_admin = UserFactory()
    role_grant(user=county_admin, role=Role.ORG_ADMIN, organization=divisions["南京市/鼓楼区"])
    mine = "X10,甲,男,单位,讲师,县级,南京市鼓楼区,理论政策,专题,,13812345678,是"
    theirs = "X11,乙,男,单位,讲师,市级,南京市,理论政策,专题,,13812345678,是"

    with pytest.raises(ImportRejected) as exc:
        instructors_import(data=csv_bytes(mine, theirs), filename="x.csv", actor=county_admin)
    result = instructors_import(data=csv_bytes(mine), filename="x.csv", actor=county_admin)

    assert [(e.row, e.column) for e in exc.value.errors] == [(3, "所属")]
    assert result.created == 1


def test_import_beyond_the_pool_maximum_needs_a_reason(pools):
    province = Pool.objects.get(organization__full_name="江苏省")
    pool_update(pool=province, actor=None, name=province.name, quota_min=1, quota_max=1, doc_prefix="苏")
    second = GOOD.replace("X00001", "X00002")

    with pytest.raises(ImportRejected) as exc:
        instructors_import(data=csv_bytes(GOOD, second), filename="q.csv", actor=None)
    result = instructors_import(
        data=csv_bytes(GOOD, second), filename="q.csv", actor=None, quota_override_reason="省委决定"
    )

    assert [(e.row, e.column) for e in exc.value.errors] == [(3, "所属")]
    assert result.created == 2


def test_xlsx_with_numeric_phone_cells_imports(pools):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    row = GOOD.split(",")
    row[10] = 13812345678  # Excel keeps long numbers as numbers
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = instructors_import(data=buffer.getvalue(), filename="x.xlsx", actor=None)

    assert result.created == 1
    assert Instructor.objects.get(code="X00001").phone == "13812345678"


def test_gbk_csv_from_chinese_excel_imports(pools):
    data = ("\n".join(["编号,姓名,性别,工作单位,职称,层级,所属,类别,专题,简介,手机,是否党员", GOOD]) + "\n").encode(
        "gb18030"
    )

    assert instructors_import(data=data, filename="gbk.csv", actor=None).created == 1


def test_a_file_that_is_not_a_table_is_rejected(pools):
    with pytest.raises(ImportRejected) as exc:
        instructors_import(data=b"not a zip", filename="x.xlsx", actor=None)
    with pytest.raises(ImportRejected):
        instructors_import(data=b"a", filename="x.pdf", actor=None)

    assert exc.value.errors[0] == RowError(0, "", exc.value.errors[0].message)


def test_export_imports_back_unchanged(sample_imported):
    province_admin = UserFactory()
    province = Pool.objects.get(organization__full_name="江苏省")
    role_grant(user=province_admin, role=Role.ORG_ADMIN, organization=province.organization)
    qs = instructor_list(actor=province_admin).filter(pool=province)
    before = snapshot()

    data = instructors_xlsx(qs, viewer=province_admin)
    result = instructors_import(data=data, filename="export.xlsx", actor=province_admin)

    assert (result.created, result.updated) == (0, 57)
    assert snapshot()[:3] == before[:3]
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]][:12] == [
        "编号",
        "姓名",
        "性别",
        "工作单位",
        "职称",
        "层级",
        "所属",
        "类别",
        "专题",
        "简介",
        "手机",
        "是否党员",
    ]


def test_export_masks_phones_for_a_supervisor_but_not_for_the_owner(sample_imported, divisions):
    owner, supervisor = UserFactory(), UserFactory()
    role_grant(user=owner, role=Role.ORG_ADMIN, organization=divisions["南京市"])
    role_grant(user=supervisor, role=Role.ORG_ADMIN, organization=divisions["江苏省"])
    nanjing = Pool.objects.get(organization__full_name="南京市")

    def phones(user):
        data = instructors_xlsx(instructor_list(actor=user).filter(pool=nanjing), viewer=user)
        return sorted(row[10] for row in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True))

    real = sorted(Instructor.objects.filter(pool=nanjing).values_list("phone", flat=True))
    assert phones(owner) == sorted(real)
    assert phones(supervisor) == sorted(f"{p[:3]}****{p[-4:]}" for p in real)


def test_command_imports_the_sample(pools, capsys):
    call_command("import_instructors", str(SAMPLE))

    assert Instructor.objects.count() == 300
    assert "300 new, 0 updated" in capsys.readouterr().out


def test_command_with_a_bad_row_fails_with_row_and_column(pools, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(GOOD, BAD_ROWS[2][0]))

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_instructors", str(path))

    assert "row 3, column 手机" in capsys.readouterr().err
    assert Instructor.objects.count() == 0


def test_command_exit_status_is_non_zero_for_a_bad_file(pools, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(BAD_ROWS[0][0]))

    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["manage.py", "import_instructors", str(path)]).execute()

    assert exc.value.code == 1
    assert "row 2, column 类别" in capsys.readouterr().err


def _file(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_upload_page_lists_errors_and_imports_good_files(client, divisions, pools):
    admin = UserFactory()
    role_grant(user=admin, role=Role.ORG_ADMIN, organization=divisions["江苏省"])
    client.force_login(admin)

    bad = client.post("/pool/manage/import/", {"file": _file(csv_bytes(BAD_ROWS[1][0]), "bad.csv")})
    good = client.post("/pool/manage/import/", {"file": _file(csv_bytes(GOOD), "good.csv")})

    assert bad.status_code == 200
    assert '<tr class="import-error"><td>2</td><td>姓名</td>' in bad.content.decode()
    assert good.status_code == 200
    assert 'id="import-result"' in good.content.decode()
    assert list(Instructor.objects.values_list("code", flat=True)) == ["X00001"]


def test_upload_page_is_for_org_admins_only(client, pools):
    client.force_login(UserFactory())

    assert client.get("/pool/manage/import/").status_code == 403
