"""Breaking Chinese text into lines, for the terminal's tables and the workbook's notes.

A line may break between two Chinese characters and at a space, never inside a run of Latin
letters or digits (a date, a number, a code stays whole unless it alone is wider than the
line); closing punctuation never starts a line and opening punctuation never ends one, unless
the piece they belong to is itself wider than the line. Widths are terminal cells (a Chinese
character takes two).
"""

import re

_WORD = re.compile(r"[!-~]+|\s+|.", re.S)
# No line starts with these (they stay with what they close or follow) ...
_CLOSE = set("，。、；：！？）」』”’》〉】〕…,.;:!?)]}%")
# ... and no line ends with these (they stay with what they open).
_OPEN = set("（「『“‘《〈【〔([{")


def width_of(s: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in s.split("\n")), default=0)


def _atoms(line: str) -> list[tuple[list[str], bool]]:
    """Unbreakable pieces of one line, each with whether a space came before it. A piece is
    kept as its parts (a bracket, a date, a comma …) for when it is wider than the column:
    it is then broken between its parts first, and only a part still too wide is cut."""
    atoms: list[tuple[list[str], bool]] = []
    space = False
    glue = False  # the previous piece opens something: the next one sticks to it
    for piece in _WORD.findall(line):
        if piece.isspace():
            space = bool(atoms)
            glue = False
            continue
        if atoms and not space and (glue or piece[0] in _CLOSE):
            atoms[-1][0].append(piece)
        else:
            atoms.append(([piece], space))
        glue = piece[-1] in _OPEN
        space = False
    return atoms


def _chop(piece: str, width: int) -> list[str]:
    """A piece wider than the column, cut at character boundaries."""
    from rich.cells import cell_len

    lines, current, used = [], "", 0
    for ch in piece:
        w = cell_len(ch)
        if used + w > width and current:
            lines.append(current)
            current, used = "", 0
        current += ch
        used += w
    return [*lines, current]


def _fitting(parts: list[str], width: int) -> list[str]:
    """The parts of a piece joined into as few chunks as fit ``width``, joined from the right
    so that closing punctuation stays with what it closes."""
    from rich.cells import cell_len

    chunks: list[str] = []
    for part in reversed(parts):
        if chunks and cell_len(part + chunks[0]) <= width:
            chunks[0] = part + chunks[0]
        else:
            chunks.insert(0, part)
    return chunks


def wrap(s: str, width: int) -> list[str]:
    """``s`` broken into lines at most ``width`` cells wide (see the module docstring)."""
    from rich.cells import cell_len

    width = max(width, 2)
    out: list[str] = []
    for line in s.split("\n"):
        current, used = "", 0

        def place(piece: str, space: bool) -> None:
            nonlocal current, used
            w = cell_len(piece)
            gap = 1 if space and current else 0
            if used + gap + w <= width:
                current += " " * gap + piece
                used += gap + w
                return
            if current:
                out.append(current)
            if w <= width:
                current, used = piece, w
            else:
                *full, current = _chop(piece, width)
                out.extend(full)
                used = cell_len(current)

        for parts, space in _atoms(line):
            for i, chunk in enumerate(_fitting(parts, width)):
                place(chunk, space and i == 0)
        out.append(current)
    return out


def widest_piece(s: str) -> int:
    from rich.cells import cell_len

    return max((cell_len("".join(p)) for line in s.split("\n") for p, _ in _atoms(line)), default=0)


def line_starts(line: str, width: int) -> list[int]:
    """Where in ``line`` (one line, no newline) each line of ``wrap(line, width)`` but the
    first begins: the offsets Rich's ``Text.divide`` takes."""
    starts: list[int] = []
    i = 0
    for k, piece in enumerate(wrap(line, width)):
        while i < len(line) and line[i].isspace():
            i += 1
        if k:
            starts.append(i)
        for ch in piece:
            if ch == " ":
                while i < len(line) and line[i].isspace():
                    i += 1
            else:
                i += 1
    return starts
