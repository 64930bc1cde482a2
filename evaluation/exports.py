"""The yearly evaluation as an .xlsx workbook: the proposals and decisions, and the figures used."""

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .models import EvaluationRun, Outcome

HEADER = [
    "排名",
    "编号",
    "姓名",
    "计算时状态",
    "评价条数",
    "平均分",
    "调整后得分",
    "年度授课次数",
    "教学纪律问题",
    "建议",
    "依据",
    "决定",
    "决定理由",
    "决定人",
    "决定时间",
]


def _bold(sheet, values):
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _number(value):
    return None if value is None else float(value)


def run_workbook(run: EvaluationRun, proposals) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("年度评估")
    sheet.append(_bold(sheet, HEADER))
    for p in proposals:
        sheet.append(
            [
                p.rank,
                p.instructor.code,
                p.instructor.name,
                p.get_status_at_run_display(),
                p.rating_count,
                _number(p.mean),
                _number(p.shrunk_score),
                p.lecture_count,
                p.incident_count,
                str(Outcome(p.proposed).label),
                p.basis,
                str(Outcome(p.decision).label) if p.decision else "",
                p.decision_reason,
                p.decided_by.display_name if p.decided_by else "",
                p.decided_at.strftime("%Y-%m-%d %H:%M") if p.decided_at else "",
            ]
        )
    figures = workbook.create_sheet("参数")
    t = run.used_thresholds()
    rows = [
        ("师资库", run.pool.name),
        ("年度", run.year),
        ("状态", run.get_status_display()),
        ("评价条数", run.rating_count),
        ("有评价的讲师", run.rated_count),
        ("师资库平均分", _number(run.pool_mean)),
        ("调整后得分公式", "(n × 平均分 + k × 师资库平均分) ÷ (n + k)"),
    ]
    if t is not None:
        rows += [
            ("k（先验权重）", t.prior_weight),
            ("调整出库：调整后得分低于", float(t.remove_below)),
            ("调整出库：评价条数至少", t.min_ratings_to_remove),
            ("提醒：调整后得分低于", float(t.warn_below)),
            ("奖励：前百分比", float(t.reward_share)),
            ("奖励：年度授课至少", t.reward_min_lectures),
        ]
    for label, value in rows:
        figures.append([WriteOnlyCell(figures, value=label), value])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
