"""Names as clerks type them, and as spreadsheets spell them.

Chinese documents pad two-character names with a space to line them up with
three-character ones ("陈 刚"), and WPS/Excel files carry full-width letters, digits and
spaces. Identity therefore uses the NFKC form with every kind of whitespace removed.
"""

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TypeVar

from jcnian.errors import Ambiguous, NotFound

T = TypeVar("T")

FORMS = ("党委", "党总支", "党支部")


def normalise(name: str) -> str:
    """Full-width folded (NFKC) and all whitespace, ASCII and U+3000 alike, removed."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def form_from_name(name: str) -> str | None:
    """The organisation form a branch's name ends with (党委/党总支/党支部), if any."""
    for form in FORMS:
        if normalise(name).endswith(form):
            return form
    return None


def closest(query: str, names: Iterable[str], limit: int = 5) -> list[str]:
    """Candidates to offer when a name matches nothing: similar spelling or shared parts."""
    pool = list(dict.fromkeys(names))
    q = normalise(query)
    found = difflib.get_close_matches(q, pool, n=limit, cutoff=0.3)
    if len(found) < limit:
        # Share-of-characters fallback: a clerk's short form often keeps the key characters.
        scored = sorted(
            (n for n in pool if n not in found and set(q) & set(n)),
            key=lambda n: (-len(set(q) & set(n)), len(n)),
        )
        found += scored[: limit - len(found)]
    return found


def resolve(query: str, by_name: Mapping[str, T], kind: str, aliases: Mapping[str, T] | None = None) -> T:
    """Find one record by its full name, an alias, or a unique part of the name.

    ``by_name`` maps normalised names to records. Raises NotFound or Ambiguous whose message
    lists the closest candidates, so the clerk can retype without looking anything up.
    """
    q = normalise(query)
    if not q:
        raise NotFound(f"{kind}名称不能为空。")
    if q in by_name:
        return by_name[q]
    if aliases and q in aliases:
        return aliases[q]
    partial = [name for name in by_name if q in name]
    if len(partial) == 1:
        return by_name[partial[0]]
    if partial:
        shown = "、".join(partial[:8]) + ("等" if len(partial) > 8 else "")
        raise Ambiguous(f"“{query}”对应多个{kind}：{shown}，请写得更完整些。")
    hint = closest(q, by_name)
    suffix = f"，最接近的有：{'、'.join(hint)}" if hint else ""
    raise NotFound(f"找不到{kind}“{query}”{suffix}。")


def pick(query: str, names: Iterable[str], kind: str) -> str:
    """One of a short fixed list (a rubric's sources or indicators): exact or a unique part.

    Shared by hand entry (``grade score -s 组织``) and the survey import (``--source 组织``,
    a column header) so the same spelling is accepted or refused in both. Raises NotFound or
    Ambiguous naming the closest candidates.
    """
    return resolve(query, {normalise(n): n for n in names}, kind)


def near_duplicates(names: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of names with the same surname and length that differ in one character.

    Such pairs (魏建亮 / 魏建良) are often one person mistyped, but may be two people: they
    are listed for the clerk to confirm and never merged automatically.
    """
    ordered = sorted(set(names))
    pairs = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            same_shape = len(a) == len(b) >= 2 and a[0] == b[0]
            if same_shape and sum(x != y for x, y in zip(a, b, strict=True)) == 1:
                pairs.append((a, b))
    return pairs
