"""Self-censored words: `х*й`, `б**дь`, `п@здец` (the normalizer turns a Cyrillic `@` into `*`), `п!здец`,
`бл..ть`, `х#й`. Each run of hiding characters stands for about as many letters as it has, and a word is
read as a lexicon entry when the entry's letters fit around the hidden ones.

Nobody hides the letters of an innocent word, so the only care taken is that the visible letters carry
the entry: one of them at least belongs to its root (not only to a prefix), two when the entry may stand
anywhere inside the word; an entry not spelled out whole hides no more letters than it shows (`на...ну`
is not `нахер`); and one `*` hides one letter (`п*ста` is not `пидр`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policies.normalized import Normalized

# A word with hidden letters. `!`, `#` and dots only hide letters between letters; a `*` word is a token.
_HIDDEN_INSIDE = re.compile(r"[\w*]+(?:(?:!+|#+|\.{2,}|…)[\w*]+)+")
_HIDING = re.compile(r"\*+|!+|#+|\.{2,}|…")
HINTS = ("*", "!", "#", "..", "…")


@dataclass(frozen=True, slots=True)
class Masked:
    start: int  # in the normalized text
    end: int
    cells: tuple[str | tuple[int, int], ...]  # a visible letter, or (fewest, most) hidden letters
    lead: str  # the visible letters before the first hidden ones
    longest: int  # letters the word can have

    def may_be(self, body: str, kind: str) -> bool:
        """A quick test before `fits`: the entry begins with the visible lead and is not too long."""
        return len(body) <= self.longest and (
            kind == "part" or body[: len(self.lead)] == self.lead[: len(body)]
        )


def masked_words(norm: Normalized) -> list[Masked]:
    """The words of the normalized text that hide letters: `*` words and words joined by `!`, `#` or dots."""
    found: dict[tuple[int, int], Masked] = {}
    text = norm.text
    if "*" in text:
        for word, start in zip(norm.words, norm.bounds, strict=True):
            if "*" in word:
                found.setdefault((start, start + len(word)), _masked(word, start))
    if _hides_inside(text):
        for match in _HIDDEN_INSIDE.finditer(text):
            found.setdefault(match.span(), _masked(match.group(), match.start()))
    return [m for m in found.values() if sum(isinstance(c, str) and c.isalpha() for c in m.cells) >= 2]


def _hides_inside(text: str) -> bool:
    """Whether a `!`, `#` or dots stand between two letters: a test before `_HIDDEN_INSIDE`, which would
    try every position of the text."""
    for hint in HINTS[1:]:
        at = text.find(hint)
        while at != -1:
            end = at + len(hint)
            while end < len(text) and text[end] == hint[-1]:
                end += 1
            if at > 0 and text[at - 1].isalnum() and end < len(text) and text[end].isalnum():
                return True
            at = text.find(hint, end)
    return False


def _masked(word: str, start: int) -> Masked:
    cells: list[str | tuple[int, int]] = []
    cursor = 0
    for run in _HIDING.finditer(word):
        cells.extend(word[cursor : run.start()])
        cells.append(_hides(run.group()))
        cursor = run.end()
    cells.extend(word[cursor:])
    lead = word[: _HIDING.search(word).start()]  # type: ignore[union-attr]  (a masked word hides some)
    longest = sum(1 if isinstance(cell, str) else cell[1] for cell in cells)
    return Masked(start, start + len(word), tuple(cells), lead, longest)


def _hides(run: str) -> tuple[int, int]:
    """How many letters a run hides: `*` one, `**` one to three; dots are looser (`бл..ть`, `п...ц`)."""
    if run[0] in ".…":
        return 1, 4 if run == "…" else len(run) + 1
    return (1, 1) if len(run) == 1 else (len(run) - 1, len(run) + 1)


def fits(cells: tuple[str | tuple[int, int], ...], body: str, root: int, kind: str) -> bool:
    """Whether a word with these cells can be `body`: the whole word (kind `exact`), a word that begins
    with it (`stem`, `root`) or one that holds it anywhere (`part`). `root`: where the root begins in body,
    after its prefix. Unless the whole word is spelled out, the entry may not hide more letters than it
    shows (`на...ну` is not `нахер`)."""
    whole = kind == "exact"
    needed = 2 if kind == "part" else 1  # visible letters of the root
    # (cell, position in body, visible letters of the root (capped), visible letters, hidden letters)
    todo = [(i, 0, 0, 0, 0) for i in (range(len(cells)) if kind == "part" else (0,))]
    seen: set[tuple[int, int, int, int, int]] = set()
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        cell_index, position, rooted, visible, hidden = state
        if position == len(body):
            shape_fits = cell_index == len(cells) if whole else hidden <= visible
            if shape_fits and rooted >= needed:
                return True
            continue
        if cell_index == len(cells):
            continue
        cell = cells[cell_index]
        if isinstance(cell, str):
            if body[position] == cell:
                grown = min(rooted + (position >= root), needed)
                todo.append((cell_index + 1, position + 1, grown, visible + 1, hidden))
            continue
        fewest, most = cell
        for count in range(fewest, most + 1):
            taken = min(count, len(body) - position)  # the entry may end among the hidden letters
            if taken == count or not whole:
                todo.append((cell_index + 1, position + taken, rooted, visible, hidden + taken))
    return False
