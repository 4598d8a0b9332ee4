"""Which encoding a text file is in, the way Chinese offices save them: one rule for every file.

Excel and WPS on a Chinese Windows save GBK; a questionnaire site exports UTF-8 with or
without a BOM; "Unicode text" is UTF-16. The survey import streams large files through
``guess_encoding`` (jcnian.survey.sniff), and the small files read whole — the liaison
table, a rubric — go through ``read_text``; both follow the same order: BOM first, then UTF-8
if every byte decodes, UTF-16 by its zero bytes, then GB18030 (the superset of GBK and
GB2312). Only the standard library is used, so reading a file costs no start-up time.
"""

import codecs
from collections.abc import Callable
from pathlib import Path

from jcnian.errors import InvalidInput

BINARY = "文件含有二进制内容，不是文本表格；请另存为 .xlsx 或 .csv 后再导入。"
UNKNOWN = "无法识别文件编码（不是 UTF-8、GBK/GB18030 或 UTF-16）"


class UnknownEncoding(ValueError):
    """The bytes are in no encoding the rule knows: binary content, or an unknown text encoding.

    The caller adds what its user can do about the second (``--encoding``, or save again).
    """

    def __init__(self, binary: bool) -> None:
        self.binary = binary
        super().__init__(BINARY if binary else UNKNOWN)


def guess_encoding(head: bytes, *, utf8: bool, decodes: Callable[[str], bool]) -> str:
    """The codec of a file whose first bytes are ``head``.

    ``utf8`` says whether the whole file decodes as UTF-8, and ``decodes(codec)`` whether it
    decodes in another codec; the caller answers both in whatever way suits its file's size.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if utf8:
        return "utf-8"
    # Text in GBK or UTF-8 has no zero bytes; UTF-16 has one in every ASCII character
    # (tabs, digits, line ends), always on the same side of the pair.
    sample = head[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    enough = max(2, len(sample) // 64)
    if odd >= enough and even == 0:
        return "utf-16-le"
    if even >= enough and odd == 0:
        return "utf-16-be"
    if even or odd:
        raise UnknownEncoding(binary=True)
    if decodes("gb18030"):
        return "gb18030"
    raise UnknownEncoding(binary=False)


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def read_text(path: Path) -> str:
    """A small text file read whole, in its own encoding; a problem names the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"无法读取文件 {path}：{exc.strerror or exc}。") from exc
    try:
        codec = guess_encoding(raw[:65536], utf8=_decodes(raw, "utf-8"), decodes=lambda c: _decodes(raw, c))
        return raw.decode(codec)
    except (UnknownEncoding, UnicodeDecodeError) as exc:
        binary = isinstance(exc, UnknownEncoding) and exc.binary
        raise InvalidInput(
            f"{path}：{BINARY if binary else UNKNOWN + '，请另存为 UTF-8 或 GBK 后再读入。'}"
        ) from exc
