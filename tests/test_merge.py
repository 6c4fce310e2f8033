"""The three-way merge behind ``rnngen update``."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rnngen.merge import merge3

BASE = "".join(f"line {n}\n" for n in range(1, 11))


def edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_non_overlapping_edits_merge_cleanly():
    ours = edit(BASE, "line 2\n", "line 2 (mine)\n")
    theirs = edit(BASE, "line 8\n", "line 8 (rnngen)\n")
    result = merge3(BASE, ours, theirs)
    assert result.clean
    assert result.text == edit(ours, "line 8\n", "line 8 (rnngen)\n")


def test_insertions_and_deletions_on_either_side_merge_cleanly():
    ours = edit(BASE, "line 3\n", "line 3\nmy helper\n")
    theirs = edit(BASE, "line 7\n", "")
    result = merge3(BASE, ours, theirs)
    assert result.clean
    assert result.text == edit(ours, "line 7\n", "")


def test_overlapping_edits_conflict_with_markers():
    ours = edit(BASE, "line 5\n", "line 5 (mine)\n")
    theirs = edit(BASE, "line 5\n", "line 5 (rnngen)\n")
    result = merge3(BASE, ours, theirs)
    assert result.conflicts == 1
    assert not result.clean
    block = "<<<<<<< yours\nline 5 (mine)\n=======\nline 5 (rnngen)\n>>>>>>> rnngen\n"
    assert result.text == edit(BASE, "line 5\n", block)


def test_each_overlap_is_its_own_conflict_and_the_rest_still_merges():
    ours = edit(edit(BASE, "line 2\n", "two (mine)\n"), "line 9\n", "nine (mine)\n")
    theirs = edit(edit(BASE, "line 2\n", "two (new)\n"), "line 9\n", "nine (new)\n")
    theirs = edit(theirs, "line 5\n", "five (new)\n")
    result = merge3(BASE, ours, theirs, ours_label="a", theirs_label="b")
    assert result.conflicts == 2
    assert "five (new)\n" in result.text and "line 5\n" not in result.text
    assert result.text.count("<<<<<<< a\n") == 2 and result.text.count(">>>>>>> b\n") == 2


def test_identical_changes_on_both_sides_are_taken_once():
    changed = edit(BASE, "line 4\n", "line 4 (both)\nextra\n")
    result = merge3(BASE, changed, changed)
    assert result.clean
    assert result.text == changed


def test_one_side_deletes_what_the_other_edits_is_a_conflict():
    ours = edit(BASE, "line 6\n", "")
    theirs = edit(BASE, "line 6\n", "line 6 (rnngen)\n")
    result = merge3(BASE, ours, theirs)
    assert result.conflicts == 1
    assert "<<<<<<< yours\n=======\nline 6 (rnngen)\n>>>>>>> rnngen\n" in result.text


def test_different_insertions_at_the_same_place_conflict():
    ours = edit(BASE, "line 10\n", "line 10\nmine\n")
    theirs = edit(BASE, "line 10\n", "line 10\ntheirs\n")
    result = merge3(BASE, ours, theirs)
    assert result.conflicts == 1
    assert result.text.endswith("<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> rnngen\n")


def test_markers_stay_on_their_own_lines_without_a_final_newline():
    result = merge3("a\nb", "a\nmine", "a\ntheirs")
    assert result.text == "a\n<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> rnngen\n"


def test_empty_base_with_the_same_text_on_both_sides_is_clean():
    assert merge3("", "x\ny\n", "x\ny\n").text == "x\ny\n"
    assert merge3("", "x\n", "y\n").conflicts == 1


lines = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "e\n", "\n"]), max_size=12).map(
    "".join
)


@settings(max_examples=200, deadline=None)
@given(base=lines, changed=lines)
def test_a_change_on_one_side_only_is_taken_whole(base, changed):
    assert merge3(base, changed, base).text == changed
    assert merge3(base, base, changed).text == changed
    assert merge3(base, changed, changed).text == changed


@settings(max_examples=300, deadline=None)
@given(base=lines, ours=lines, theirs=lines)
def test_no_line_added_on_either_side_is_lost(base, ours, theirs):
    # Clean or not, a line that only one side wrote ends up in the result:
    # taken as that side's change, or written inside a conflict block.
    merged = set(merge3(base, ours, theirs).text.splitlines())
    added = (set(ours.splitlines()) | set(theirs.splitlines())) - set(base.splitlines())
    assert added <= merged
