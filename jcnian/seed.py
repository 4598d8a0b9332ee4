"""The liaison table (附件1) as a CSV file: read and validated before anything is written.

An edge module: it turns a file into checked branches (jcnian.ledger.NewBranch, what the
ledger adds) and names the file, row and field of every problem, so ``jcnian init --from
FILE`` either seeds everything or nothing.
"""

import csv
from pathlib import Path

from jcnian.data_files import data_dir
from jcnian.errors import InvalidInput
from jcnian.ledger import CATEGORIES, NewBranch
from jcnian.names import FORMS, form_from_name, normalise
from jcnian.textfile import read_text

COLUMNS = ("name", "form", "category", "leader", "cadre", "remarks")
HEADER_ALIASES = {
    "党组织名称": "name",
    "党组织": "name",
    "名称": "name",
    "组织形式": "form",
    "形式": "form",
    "分类": "category",
    "类别": "category",
    "联系领导": "leader",
    "联系干部": "cadre",
    "备注": "remarks",
}


def default_seed_path() -> Path:
    return data_dir() / "seed_branches.csv"


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def read_seed(path: Path) -> list[NewBranch]:
    """Read and check a liaison table; raise InvalidInput listing every problem."""
    text = read_text(path)
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if not header:
        raise InvalidInput(f"{path}：文件是空的。")
    keys = [HEADER_ALIASES.get(h.strip(), h.strip().lower()) for h in header]
    missing = [c for c in ("name", "category") if c not in keys]
    if missing:
        raise InvalidInput(f"{path}:1：缺少列 {'、'.join(missing)}（表头应含 {','.join(COLUMNS)}）。")
    problems: list[str] = []
    rows: list[NewBranch] = []
    seen: dict[str, int] = {}
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        rec = dict(zip(keys, cells, strict=False))
        name = (rec.get("name") or "").strip()
        where = f"{path}:{line_no}"
        if not name:
            problems.append(f"{where}：name（党组织名称）为空。")
            continue
        form = _blank_to_none(rec.get("form")) or form_from_name(name)
        if form not in FORMS:
            problems.append(f"{where}：form（组织形式）“{rec.get('form', '')}”不是 {'/'.join(FORMS)} 之一。")
        category = (rec.get("category") or "").strip()
        if category not in CATEGORIES:
            problems.append(f"{where}：category（分类）“{category}”不是 {'/'.join(CATEGORIES)} 之一。")
        key = normalise(name)
        if key in seen:
            problems.append(f"{where}：name（党组织名称）“{name}”与第 {seen[key]} 行重复。")
        seen[key] = line_no
        rows.append(
            NewBranch(
                name=name,
                form=form or "",
                category=category,
                leader=_blank_to_none(rec.get("leader")),
                cadre=_blank_to_none(rec.get("cadre")),
                remarks=_blank_to_none(rec.get("remarks")),
            )
        )
    if problems:
        raise InvalidInput(f"{path} 有 {len(problems)} 处错误，未写入任何数据：", problems)
    if not rows:
        raise InvalidInput(f"{path}：没有任何党组织数据。")
    return rows
