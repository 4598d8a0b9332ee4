"""Problems with a survey file, located as the spreadsheet shows them.

Readers and checks add to one ``Problems`` list instead of raising, so the clerk sees every
mistake of every file of a command in one run, each as ``file:row:column`` with the row as
the spreadsheet numbers it (row 1 is the file's first line) and the column as its letter.
"""

from dataclasses import dataclass, field

MAX_PROBLEMS = 1000  # kept in full; beyond this only counted, so a wholly wrong file stays readable


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
    """One thing wrong with a file, located as the spreadsheet shows it."""

    file: str
    message: str
    row: int | None = None
    col: int | None = None  # 0-based; shown as a letter
    header: str | None = None

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.file}：{self.message}"
        where = f"{self.file}:{self.row}"
        if self.col is not None:
            where += f":{column_letter(self.col)}"
            if self.header:
                where += f"（{self.header}）"
        return f"{where}：{self.message}"


@dataclass
class Problems:
    """Every problem of a run, kept in order up to a limit and counted beyond it."""

    limit: int = MAX_PROBLEMS
    items: list[Problem] = field(default_factory=list)
    count: int = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(problem)

    def __bool__(self) -> bool:
        return self.count > 0

    def lines(self) -> list[str]:
        out = [str(p) for p in self.items]
        if self.count > len(self.items):
            out.append(f"……另有 {self.count - len(self.items)} 个问题未列出（请先改正以上问题）。")
        return out


class ReadError(Exception):
    """The file cannot be read at all; the message is the Chinese sentence to show."""
