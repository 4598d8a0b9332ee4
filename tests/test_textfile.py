"""One encoding rule for every text file: the survey import's, the liaison table's, a rubric's."""

from pathlib import Path

import pytest

from jcnian.errors import InvalidInput
from jcnian.survey.problems import ReadError
from jcnian.survey.sniff import detect_encoding, scan_bytes
from jcnian.textfile import read_text

TEXT = "党组织名称,分类\n五夫村党总支,农村\n"


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_a_small_file_and_a_survey_file_are_read_by_the_same_rule(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "联系表.csv"
    path.write_bytes(TEXT.encode(codec))
    assert read_text(path) == TEXT
    _, _, utf8, head = scan_bytes(path)
    assert path.read_bytes().decode(detect_encoding(path, utf8, head)) == TEXT


def test_binary_and_unknown_bytes_are_refused_naming_the_file(tmp_path: Path) -> None:
    binary = tmp_path / "a.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InvalidInput, match=r"a\.csv：文件含有二进制内容"):
        read_text(binary)
    junk = tmp_path / "b.csv"
    junk.write_bytes(b"\x81\x30\xff\xfe\x80" * 20)
    with pytest.raises(InvalidInput, match=r"b\.csv：无法识别文件编码.*另存为"):
        read_text(junk)
    _, _, utf8, head = scan_bytes(junk)
    with pytest.raises(ReadError, match="--encoding"):
        detect_encoding(junk, utf8, head)


def test_a_rubric_saved_as_gbk_is_accepted(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shown = seeded("grade", "rubric", "show", "--toml")
    path = tmp_path / "评分办法.toml"
    path.write_bytes(shown.stdout.encode("gb18030"))
    result = seeded("grade", "rubric", "set", str(path))
    assert result.exit_code == 0, result.stderr
