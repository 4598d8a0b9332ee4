"""Problems with a survey file, located as the spreadsheet shows them.

Readers and checks add to one ``Problems`` list instead of raising, so the clerk sees every
mistake of every file of a command in one run, each as ``file:row:column`` with the row as
the spreadsheet numbers it (row 1 is the file's first line) and the column as its letter.
"""

from dataclasses import dataclass, field

from jcnian.problems import Problem

MAX_PROBLEMS = 1000  # kept in full; beyond this only counted, so a wholly wrong file stays readable


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

    def mark(self) -> tuple[int, int]:
        """Where the list stands, to ``rollback`` to when a pass is read again another way."""
        return self.count, len(self.items)

    def rollback(self, mark: tuple[int, int]) -> None:
        """Forget the problems added since ``mark``."""
        self.count, kept = mark
        del self.items[kept:]

    def __bool__(self) -> bool:
        return self.count > 0

    def lines(self) -> list[str]:
        out = [str(p) for p in self.items]
        if self.count > len(self.items):
            out.append(f"……另有 {self.count - len(self.items)} 个问题未列出（请先改正以上问题）。")
        return out


class ReadError(Exception):
    """The file cannot be read at all; the message is the Chinese sentence to show."""
