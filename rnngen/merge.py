"""A line-based three-way merge (diff3), built on ``difflib``.

``rnngen update`` merges a file the user edited: ``base`` is what rnngen
generated last time, ``ours`` the user's file now, ``theirs`` the new render.
Lines of ``base`` that both sides kept anchor the merge; between anchors a
change made on one side only is taken, the same change made on both sides is
taken once, and different changes to the same lines are a conflict, written
between ``<<<<<<<`` / ``=======`` / ``>>>>>>>`` markers as git does.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

OURS_LABEL = "yours"
THEIRS_LABEL = "rnngen"


@dataclass(frozen=True)
class MergeResult:
    """The merged text and how many conflict blocks it holds."""

    text: str
    conflicts: int

    @property
    def clean(self) -> bool:
        """True when both sides' changes merged without a conflict."""
        return self.conflicts == 0


def merge3(
    base: str,
    ours: str,
    theirs: str,
    ours_label: str = OURS_LABEL,
    theirs_label: str = THEIRS_LABEL,
) -> MergeResult:
    """Merge the changes ``base -> ours`` and ``base -> theirs``.

    Args:
        base: the common ancestor.
        ours: one side's edit of ``base`` (the user's file).
        theirs: the other side's edit of ``base`` (the new render).
        ours_label: written after ``<<<<<<<``.
        theirs_label: written after ``>>>>>>>``.

    Returns:
        The merged text, with conflict markers where the sides disagree.
    """
    base_lines = base.splitlines(keepends=True)
    our_lines = ours.splitlines(keepends=True)
    their_lines = theirs.splitlines(keepends=True)
    to_ours = _matches(base_lines, our_lines)
    to_theirs = _matches(base_lines, their_lines)

    merged: list[str] = []
    conflicts = 0
    i = j = k = 0
    while True:
        # A stable line: kept by both sides, right where both sides are now.
        if i < len(base_lines) and to_ours.get(i) == j and to_theirs.get(i) == k:
            merged.append(base_lines[i])
            i, j, k = i + 1, j + 1, k + 1
            continue
        # Otherwise the changed region runs to the next line both sides kept.
        anchor = next(
            (n for n in range(i, len(base_lines)) if n in to_ours and n in to_theirs),
            len(base_lines),
        )
        j_end = to_ours.get(anchor, len(our_lines))
        k_end = to_theirs.get(anchor, len(their_lines))
        old, mine, new = base_lines[i:anchor], our_lines[j:j_end], their_lines[k:k_end]
        if mine == old:
            merged += new
        elif new == old or mine == new:
            merged += mine
        else:
            conflicts += 1
            merged += [f"<<<<<<< {ours_label}\n", *_closed(mine), "=======\n"]
            merged += [*_closed(new), f">>>>>>> {theirs_label}\n"]
        if anchor == len(base_lines):
            break
        i, j, k = anchor, j_end, k_end
    return MergeResult("".join(merged), conflicts)


def _matches(a: list[str], b: list[str]) -> dict[int, int]:
    """Line index in ``a`` -> index of the same line in ``b``, for matched lines."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    pairs: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            pairs[block.a + offset] = block.b + offset
    return pairs


def _closed(lines: list[str]) -> list[str]:
    """``lines`` with a final newline, so a marker never joins the last line."""
    if lines and not lines[-1].endswith(("\n", "\r")):
        return [*lines[:-1], lines[-1] + "\n"]
    return lines
