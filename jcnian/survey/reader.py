"""Opening a survey file: bytes in, a ``SurveyFile`` whose header is understood, or problems.

The entry point of the reading side, with no database. It never raises on bad input: whatever
the bytes (random, truncated, HTML saved as .xls, a header-only file), the caller gets a
``SurveyFile`` to stream typed rows from, or ``None`` with the reasons in ``problems``.
"""

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jcnian.problems import Problem
from jcnian.survey.cells import cell_text
from jcnian.survey.headers import HEADER_SCAN_ROWS, find_header, recognise_layout, roles_in, sub_header
from jcnian.survey.problems import Problems, ReadError
from jcnian.survey.records import SurveyFile
from jcnian.survey.sheets import Sheet, text_sheet, xls_sheet, xlsx_sheet
from jcnian.survey.sniff import (
    EXCEL_SUFFIXES,
    SUFFIXES,
    canonical_encoding,
    detect_delimiter,
    detect_encoding,
    kind_of,
    scan_bytes,
)
from jcnian.textfile import BINARY


def open_survey(
    path: Path, problems: Problems, *, encoding: str | None = None, name: str | None = None
) -> SurveyFile | None:
    """Open a survey file and understand its header; None, with the reasons in ``problems``, if it cannot be.

    ``encoding`` overrides detection for text files. The content hash is of the file's bytes,
    so the same file imported again is recognised whatever its name.
    """
    label = name or path.name
    try:
        return _open(path, problems, encoding, label)
    except ReadError as exc:
        problems.add(Problem(label, str(exc)))
    except OSError as exc:
        problems.add(Problem(label, f"无法读取文件（{exc.strerror or exc}）。"))
    except Exception as exc:  # the last guard: no file may end in a traceback
        problems.add(Problem(label, f"无法读取文件（{type(exc).__name__}: {str(exc)[:80]}）。"))
    return None


def _open(path: Path, problems: Problems, encoding: str | None, label: str) -> SurveyFile | None:
    suffix = path.suffix.lower()
    if not path.exists():
        raise ReadError("文件不存在。")
    if path.is_dir():
        raise ReadError("这是一个文件夹，不是文件。")
    if suffix not in SUFFIXES:
        raise ReadError(
            f"不支持 {suffix or '无扩展名'} 文件，请另存为 .xlsx、.xls、.csv 或 .txt（制表符分隔）后再导入。"
        )
    sha256, size, utf8, head = scan_bytes(path)
    if size == 0:
        raise ReadError("文件是空的。")
    kind = kind_of(path, head)
    if kind == "html":
        raise ReadError(
            "这是网页格式的文件（只是扩展名像表格），请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。"
        )
    notes: list[str] = []
    sheet_name = None
    codec = delimiter = None
    if kind == "xlsx":
        sheet, sheet_name = xlsx_sheet(path, label, problems, notes)
    elif kind == "xls":
        sheet, sheet_name = xls_sheet(path, label, notes)
    else:
        if suffix in EXCEL_SUFFIXES:
            notes.append(f"文件扩展名是 {suffix}，内容却是文本，已按文本表格读取。")
        if encoding:
            codec = canonical_encoding(encoding)
            if codec is None:
                raise ReadError(f"不认识的编码“{encoding}”，可用 utf-8、gbk、gb18030、utf-16。")
        else:
            codec = detect_encoding(path, utf8, head)
        try:
            text_head = head.decode(codec, errors="replace")
        except LookupError:
            raise ReadError(f"不认识的编码“{encoding}”。") from None
        if "\x00" in text_head.lstrip("\ufeff"):
            raise ReadError(BINARY)
        delimiter = detect_delimiter(text_head, suffix)
        sheet = text_sheet(path, codec, delimiter, problems, label)
    rows = sheet.rows
    before = problems.count
    found = find_header(rows)
    if found is None:
        sheet.close()
        if problems.count == before:  # not already explained by a decoding or CSV error
            problems.add(
                Problem(
                    label,
                    f"在前 {HEADER_SCAN_ROWS} 行中找不到表头：需要有一列“党组织”（也可写作 党组织名称、单位、branch）。",
                )
            )
        return None
    header_row, header = found
    branch_col = roles_in(header)["branch"]
    pending: list[tuple[int, Sequence[Any]]] = []
    for row_no, cells in rows:
        pending.append((row_no, cells))
        if any(cell_text(c) for c in cells):
            break
    header_end = header_row
    header_rows = [header_row] * len(header)
    if pending:
        merged = sub_header(header, branch_col, pending[-1][1])
        if merged is not None:
            header_end = pending[-1][0]
            below = pending[-1][1]
            header_rows = [
                header_end if i < len(below) and cell_text(below[i]) else header_row
                for i in range(len(merged))
            ]
            header = merged
            pending = []
    headers = [cell_text(c) for c in header]
    layout = recognise_layout(headers, label, problems, header_rows)
    if layout is None:
        sheet.close()
        return None
    layout_name, columns, unused = layout
    if unused:
        notes.append(f"未使用的列：{'、'.join(unused)}。")
    return SurveyFile(
        name=label,
        sha256=sha256,
        layout=layout_name,
        header_row=header_row,
        header_end=header_end,
        header_rows=header_rows,
        columns=columns,
        headers=headers,
        encoding=codec,
        delimiter=delimiter,
        sheet=sheet_name,
        notes=notes,
        text_file=kind not in ("xlsx", "xls"),
        _sheet=_continued(sheet, itertools.chain(pending, rows)),
    )


def _continued(sheet: Sheet, rows: Any) -> Sheet:
    """The sheet read on from ``rows`` (the header consumed), with what the sheet found."""
    out = Sheet(rows, sheet.total, sheet.position, closer=sheet.close)
    out.unsaved = sheet.unsaved
    return out
