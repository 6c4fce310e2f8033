"""Atomic writing: everything or nothing, whatever fails and whenever.

Failures are injected with monkeypatch (we run as root, where a read-only
folder refuses nothing). After each one the tree must be byte-identical to
the snapshot taken before: no half-written folder, no lost original, no
staging folder left behind.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from rnngen import writer
from rnngen.errors import WriteError

FILES = {
    name: f"# {name}\nvalue = {n}\n" for n, name in enumerate(("a.py", "b.py", "c.py", "d.md"))
}
ORIGINALS = {"a.py": "# mine\n", "c.py": "# also mine\n"}


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` (folders as ``None``) with its bytes; ``{}`` when missing."""
    tree: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")) if root.exists() else []:
        key = path.relative_to(root).as_posix()
        tree[key] = None if path.is_dir() and not path.is_symlink() else path.read_bytes()
    return tree


def failing_after(calls: int, error: BaseException, real):
    """A stand-in for ``real`` that works ``calls`` times, raises ``error`` once, then works."""
    count = {"n": 0}

    def fake(*args, **kwargs):
        count["n"] += 1
        if count["n"] == calls + 1:
            raise error
        return real(*args, **kwargs)

    return fake


FAILURES = {
    "disk-full": OSError(errno.ENOSPC, "No space left on device"),
    "permission": PermissionError(errno.EACCES, "Permission denied"),
    "ctrl-c": KeyboardInterrupt(),
}


def expect_failure(error: BaseException):
    return pytest.raises(KeyboardInterrupt if isinstance(error, KeyboardInterrupt) else WriteError)


@pytest.fixture
def existing(tmp_path):
    """A project folder holding two of the files, with the user's own text."""
    out = tmp_path / "project"
    out.mkdir()
    for name, text in ORIGINALS.items():
        (out / name).write_text(text)
    (out / "notes.txt").write_text("not ours\n")
    return out


def test_new_folder_is_written_with_missing_parents(tmp_path):
    out = tmp_path / "deep" / "er" / "project"
    writer.write_project(out, FILES)
    assert {name: (out / name).read_text() for name in FILES} == FILES
    assert snapshot(tmp_path).keys() == {"deep", "deep/er", "deep/er/project"} | {
        f"deep/er/project/{name}" for name in FILES
    }


def test_dot_dot_in_the_path_lands_where_it_points(tmp_path):
    writer.write_project(tmp_path / "missing" / ".." / "project", FILES)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["project"]


@pytest.mark.parametrize("failure", FAILURES, ids=str)
@pytest.mark.parametrize("stage", ["mkdtemp", "third-fsync", "rename"])
def test_a_failure_creating_a_new_folder_leaves_nothing(tmp_path, monkeypatch, stage, failure):
    error = FAILURES[failure]
    (tmp_path / "keep.txt").write_text("untouched\n")
    before = snapshot(tmp_path)
    if stage == "mkdtemp":
        monkeypatch.setattr(
            writer.tempfile, "mkdtemp", failing_after(0, error, writer.tempfile.mkdtemp)
        )
    elif stage == "third-fsync":
        monkeypatch.setattr(writer.os, "fsync", failing_after(2, error, os.fsync))
    else:
        monkeypatch.setattr(writer.os, "rename", failing_after(0, error, os.rename))
    with expect_failure(error):
        writer.write_project(tmp_path / "new" / "project", FILES)
    assert snapshot(tmp_path) == before


def test_a_write_error_says_what_failed_and_that_nothing_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(writer.os, "fsync", failing_after(0, FAILURES["disk-full"], os.fsync))
    with pytest.raises(WriteError, match=r"No space left on device.*nothing was changed"):
        writer.write_project(tmp_path / "project", FILES)


@pytest.mark.parametrize("failure", FAILURES, ids=str)
@pytest.mark.parametrize("replaces_before", [0, 1, 3, 5])
def test_a_failure_mid_overwrite_restores_every_original(
    existing, monkeypatch, failure, replaces_before
):
    # os.replace runs twice per existing file (backup, swap in) and once per new
    # one; failing after 0, 1, 3 and 5 calls hits the first file, a swap, a
    # backup halfway through and a new file.
    before = snapshot(existing)
    monkeypatch.setattr(
        writer.os, "replace", failing_after(replaces_before, FAILURES[failure], os.replace)
    )
    with expect_failure(FAILURES[failure]):
        writer.write_project(existing, FILES, force=True)
    assert snapshot(existing) == before


@pytest.mark.parametrize("failure", FAILURES, ids=str)
def test_a_failure_staging_an_overwrite_restores_everything(existing, monkeypatch, failure):
    before = snapshot(existing)
    monkeypatch.setattr(writer.os, "fsync", failing_after(2, FAILURES[failure], os.fsync))
    with expect_failure(FAILURES[failure]):
        writer.write_project(existing, FILES, force=True)
    assert snapshot(existing) == before


def test_when_even_the_restore_fails_the_originals_are_kept_and_named(existing, monkeypatch):
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        # Backing up a.py and swapping it in work; everything after fails,
        # the restore included.
        if calls["n"] > 2:
            raise OSError(errno.EIO, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(writer.os, "replace", replace)
    with pytest.raises(
        WriteError, match="a.py could not be restored; the originals are in"
    ) as info:
        writer.write_project(existing, FILES, force=True)
    backups = Path(str(info.value).rsplit("the originals are in ", 1)[1])
    assert (backups / "a.py").read_text() == ORIGINALS["a.py"]


def test_force_overwrites_and_leaves_other_files_alone(existing):
    writer.write_project(existing, FILES, force=True)
    assert {name: (existing / name).read_text() for name in FILES} == FILES
    assert (existing / "notes.txt").read_text() == "not ours\n"
    assert sorted(path.name for path in existing.iterdir()) == sorted([*FILES, "notes.txt"])


def test_overwrite_keeps_the_file_mode(existing):
    (existing / "a.py").chmod(0o755)
    writer.write_project(existing, FILES, force=True)
    assert stat.S_IMODE((existing / "a.py").stat().st_mode) == 0o755


def test_existing_files_refuse_the_whole_write_and_are_listed(existing):
    before = snapshot(existing)
    with pytest.raises(WriteError, match=r"already has a\.py, c\.py; nothing was written"):
        writer.write_project(existing, FILES)
    assert snapshot(existing) == before


def test_a_dangling_symlink_counts_as_an_existing_file(tmp_path):
    out = tmp_path / "project"
    out.mkdir()
    (out / "b.py").symlink_to(tmp_path / "nowhere")
    with pytest.raises(WriteError, match="already has b.py"):
        writer.write_project(out, FILES)


def test_a_folder_where_a_file_goes_is_refused_even_with_force(existing):
    (existing / "b.py").mkdir()
    (existing / "b.py" / "inside").write_text("precious\n")
    before = snapshot(existing)
    with pytest.raises(WriteError, match="b.py is a folder or special file"):
        writer.write_project(existing, FILES, force=True)
    assert snapshot(existing) == before


@pytest.mark.parametrize("where", ["out", "parent"])
def test_out_on_a_file_is_refused(tmp_path, where):
    (tmp_path / "file").write_text("x\n")
    out = tmp_path / "file" if where == "out" else tmp_path / "file" / "project"
    with pytest.raises(WriteError, match="is a file, not a folder"):
        writer.write_project(out, FILES)
    assert snapshot(tmp_path) == {"file": b"x\n"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_a_read_only_parent_for_real(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        with pytest.raises(WriteError, match="Permission denied"):
            writer.write_project(parent / "project", FILES)
        assert snapshot(parent) == {}
    finally:
        parent.chmod(0o700)


def test_plan_reports_new_unchanged_and_changed_with_a_diff(tmp_path):
    out = tmp_path / "project"
    out.mkdir()
    (out / "a.py").write_text(FILES["a.py"])
    (out / "b.py").write_text("# b.py\nvalue = 99\n")
    before = snapshot(tmp_path)
    planned = {item.name: item for item in writer.plan(out, FILES)}
    assert {name: item.status for name, item in planned.items()} == {
        "a.py": "unchanged",
        "b.py": "changed",
        "c.py": "new",
        "d.md": "new",
    }
    assert planned["c.py"].size == len(FILES["c.py"].encode())
    assert "-value = 99\n+value = 1\n" in planned["b.py"].diff
    assert planned["a.py"].diff == planned["c.py"].diff == ""
    assert snapshot(tmp_path) == before
