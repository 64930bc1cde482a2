"""Reading a development set in the recsys-dev layout: instructors.csv (the import file of SPEC
section 3), queries.jsonl (``{"qid", "text"}`` per line) and qrels.tsv (``qid, code, grade``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

#: The bundled copy of ../shared/data/recsys-dev (tests and CI run it without /work/shared).
DEV_SET = Path(__file__).resolve().parent / "data" / "recsys-dev"


@dataclass
class DevSet:
    instructors_csv: Path
    queries: dict[str, str]  # qid -> text, in file order
    qrels: dict[str, dict[str, int]]  # qid -> {code: grade}


def load_devset(folder: str | Path) -> DevSet:
    """The folder's queries and judgements, and the path of its instructors file (FileNotFoundError
    or ValueError with the file and line when something is missing or malformed)."""
    folder = Path(folder)
    instructors = folder / "instructors.csv"
    if not instructors.is_file():
        raise FileNotFoundError(f"{instructors}: missing")
    queries: dict[str, str] = {}
    with open(folder / "queries.jsonl", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                queries[str(obj["qid"])] = str(obj["text"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f'queries.jsonl:{lineno}: expected {{"qid": …, "text": …}}') from exc
    qrels: dict[str, dict[str, int]] = {q: {} for q in queries}
    with open(folder / "qrels.tsv", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            parts = line.rstrip("\n").split("\t")
            if not line.strip() or (lineno == 1 and parts[0] == "qid"):
                continue
            try:
                qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
            except (IndexError, ValueError) as exc:
                raise ValueError(f"qrels.tsv:{lineno}: expected qid<TAB>code<TAB>grade") from exc
    return DevSet(instructors_csv=instructors, queries=queries, qrels=qrels)
