"""Reading a development set in the recsys-dev layout (instructors.csv, queries.jsonl, qrels.tsv)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from .lexicon import Lexicon, infer_subareas, load_lexicon
from .schema import InstructorDoc
from .text import normalize

TOPIC_SEPARATOR = "；"


@dataclass
class DevSet:
    docs: list[InstructorDoc]
    rows: list[dict[str, str]]  # the CSV rows, for the baselines' plain text
    queries: dict[str, str]  # qid -> text, in file order
    qrels: dict[str, dict[str, int]]  # qid -> {code: grade}


def split_topics(value: str) -> list[str]:
    value = value.replace(";", TOPIC_SEPARATOR)
    return [t.strip() for t in value.split(TOPIC_SEPARATOR) if t.strip()]


def doc_from_row(row: dict[str, str], lexicon: Lexicon | None = None) -> InstructorDoc:
    """An InstructorDoc from one import row (header of SPEC section 3)."""
    lexicon = lexicon or load_lexicon()
    topics = split_topics(row.get("专题", ""))
    bio = row.get("简介", "").strip()
    subareas = infer_subareas(lexicon, normalize("；".join(topics) + "。" + bio))
    return InstructorDoc(
        id=row["编号"].strip(),
        code=row["编号"].strip(),
        name=row.get("姓名", "").strip(),
        category=row.get("类别", "").strip(),
        subareas=subareas,
        topics=[(t, "") for t in topics],
        bio=bio,
        employer=row.get("工作单位", "").strip(),
        title=row.get("职称", "").strip(),
    )


def load_instructors(path: Path) -> tuple[list[InstructorDoc], list[dict[str, str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    lexicon = load_lexicon()
    return [doc_from_row(r, lexicon) for r in rows], rows


def load_devset(folder: str | Path) -> DevSet:
    folder = Path(folder)
    docs, rows = load_instructors(folder / "instructors.csv")
    queries: dict[str, str] = {}
    with open(folder / "queries.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                obj = json.loads(line)
                queries[str(obj["qid"])] = obj["text"]
    qrels: dict[str, dict[str, int]] = {q: {} for q in queries}
    with open(folder / "qrels.tsv", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or (i == 0 and parts[0] == "qid"):
                continue
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return DevSet(docs=docs, rows=rows, queries=queries, qrels=qrels)
