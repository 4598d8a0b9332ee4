"""What a file is before it is read: its kind by its first bytes, its hash, its text encoding.

Clerks' files come from Excel or WPS on a Chinese Windows, from a questionnaire site's export
or from a colleague's e-mail: GBK, UTF-8 with or without BOM, UTF-16 ("Unicode text"), comma
or tab separated, sometimes an .xls that is really HTML or a .xlsx that is really CSV. The
encoding and the delimiter are detected, never asked for; ``--encoding`` overrides.
"""

import codecs
import hashlib
from pathlib import Path

from jcnian.survey.problems import ReadError
from jcnian.textfile import UnknownEncoding, guess_encoding

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SUFFIXES = TEXT_SUFFIXES + EXCEL_SUFFIXES
CHUNK = 1 << 20

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8（带 BOM）",
    "utf-16": "UTF-16（带 BOM）",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
    "gb18030": "GBK/GB18030",
}
_ENCODING_NAMES = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "936": "gb18030"}


def scan_bytes(path: Path) -> tuple[str, int, bool, bytes]:
    """One pass over the bytes: content hash, size, whether it all decodes as UTF-8, the head."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = 0
    head = b""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            if not head:
                head = chunk[:65536]
            digest.update(chunk)
            size += len(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return digest.hexdigest(), size, utf8, head


def kind_of(path: Path, head: bytes) -> str:
    """What the bytes are, whatever the extension says: xlsx (zip), xls (OLE2), html, or text."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    probe = head[:512].lstrip().lower()
    if probe.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<html" in probe[:200]:
        return "html"
    return "txt" if path.suffix.lower() in (".txt", ".tsv") else "csv"


def canonical_encoding(name: str) -> str | None:
    """The codec for an ``--encoding`` value (GBK and GB2312 read as their superset GB18030)."""
    key = name.strip().lower().replace("_", "-")
    key = _ENCODING_NAMES.get(key, key)
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def detect_encoding(path: Path, utf8: bool, head: bytes) -> str:
    """The file's codec by the one rule of ``jcnian.textfile``, read in chunks."""
    try:
        return guess_encoding(head, utf8=utf8, decodes=lambda codec: _decodes(path, codec))
    except UnknownEncoding as exc:
        raise ReadError(
            str(exc) if exc.binary else f"{exc}，请用 --encoding 指定，如 --encoding gbk。"
        ) from None


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_delimiter(text: str, suffix: str) -> str:
    """Tab or comma, by which one the first lines use (Excel's "Unicode text" is tab-separated)."""
    tabs = commas = 0
    for line in text.splitlines()[:30]:
        tabs += "\t" in line
        commas += "," in line
    if tabs and (tabs >= commas or suffix in (".txt", ".tsv")):
        return "\t"
    return ","
