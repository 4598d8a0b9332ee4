"""One thing wrong with an input, located the way the person who wrote it sees it.

Checks return ``Problem`` values instead of raising, so every mistake of an input is
reported in one run: the survey import's (``file:row:column``, row as the spreadsheet
numbers it, column as its letter), the liaison table's (``file:row``) and the rubric's
(no location: the error that lists them names the rubric, and each message names its table).
"""

from dataclasses import dataclass


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as the spreadsheet labels it."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input; ``str()`` is the line the clerk reads.

    ``file`` None: the input is named by the error that lists the problem, so the line is
    the message alone.
    """

    file: str | None
    message: str
    row: int | None = None
    col: int | None = None  # 0-based; shown as a letter
    header: str | None = None

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        if self.row is None:
            return f"{self.file}：{self.message}"
        where = f"{self.file}:{self.row}"
        if self.col is not None:
            where += f":{column_letter(self.col)}"
            if self.header:
                where += f"（{self.header}）"
        return f"{where}：{self.message}"
