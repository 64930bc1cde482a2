"""Writing instructors to .xlsx and .csv in the import layout (the file imports back unchanged).

Phones follow the same rule as pages and the API: full only for the owning pool's admins and the
instructor, masked (138****5678) for every other viewer.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .imports import HEADER, OPTIONAL
from .models import Instructor
from .permissions import ContactPolicy
from .rules import CATEGORY_NAMES, FEE_GRADE_NAMES, LEVEL_NAMES

COLUMNS = HEADER + OPTIONAL


def instructor_row(instructor: Instructor, policy: ContactPolicy) -> list[str]:
    org = instructor.pool.organization
    return [
        instructor.code,
        instructor.name,
        "男" if instructor.gender == "male" else "女",
        instructor.employer,
        instructor.title or "无",
        LEVEL_NAMES[instructor.pool.level],
        org.full_name,
        CATEGORY_NAMES[instructor.category],
        "；".join(t.title for t in instructor.topics.all()),
        instructor.bio,
        policy.phone(instructor) or "",
        "是" if instructor.is_party_member else "否",
        "；".join(s.name for s in instructor.sub_areas.all()),
        FEE_GRADE_NAMES[instructor.fee_grade],
        str(instructor.monthly_limit),
        instructor.service_area,
    ]


def instructors_xlsx(instructors, *, viewer, sheet_title: str = "师资名单") -> bytes:
    """An .xlsx workbook of the instructors (select pool__organization, prefetch topics, sub_areas)."""
    policy = ContactPolicy.for_user(viewer)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["I"].width = 60
    sheet.column_dimensions["J"].width = 60
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for instructor in instructors:
        sheet.append(instructor_row(instructor, policy))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def instructors_csv(instructors, *, viewer) -> bytes:
    """UTF-8 with a BOM, which Excel on Chinese Windows opens correctly."""
    policy = ContactPolicy.for_user(viewer)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for instructor in instructors:
        writer.writerow(instructor_row(instructor, policy))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
