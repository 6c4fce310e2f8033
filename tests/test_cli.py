"""``rnngen new`` as a user meets it: exit codes, messages, and a disk left as it was."""

from __future__ import annotations

import errno
import json
import os

import black
import pytest
from click.testing import CliRunner
from test_writer import failing_after, snapshot

from rnngen import render, writer
from rnngen.cli import main
from rnngen.generate import ANSWERS, generate
from rnngen.spec import build_spec

SMALL = ["--hidden-size", "16", "--vocab-size", "50", "--embed-dim", "8"]


def run(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def assert_one_line_error(result, *words):
    """Exit code 1, one ``error: ...`` line on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for word in words:
        assert word in result.stderr


USAGE_ERRORS = {
    "missing-framework": ["--mode", "many2one"],
    "missing-mode": ["--framework", "keras"],
    "bad-mode": ["--framework", "keras", "--mode", "many2few"],
    "bad-cell": ["--framework", "keras", "--mode", "many2one", "--cell", "transformer"],
    "zero-hidden": ["--framework", "keras", "--mode", "many2one", "--hidden-size", "0"],
    "text-hidden": ["--framework", "keras", "--mode", "many2one", "--hidden-size", "big"],
    "dropout-one": ["--framework", "keras", "--mode", "many2one", "--dropout", "1"],
    "vocab-one": ["--framework", "keras", "--mode", "many2one", "--vocab-size", "1"],
    "unknown-flag": ["--framework", "keras", "--mode", "many2one", "--colour", "red"],
}


@pytest.mark.parametrize("args", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_errors_exit_2(tmp_path, args):
    result = run("new", *args, "--out", tmp_path / "p")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "p").exists()


SPEC_ERRORS = {
    "input-size-with-tokens": (
        ["--mode", "many2one", "--input-size", "4"],
        "--input-size does not apply",
    ),
    "vocab-with-features": (
        ["--mode", "many2one", "--input", "features", "--vocab-size", "9"],
        "--vocab-size does not apply",
    ),
    "out-len-many2one": (["--mode", "many2one", "--out-len", "3"], "--out-len does not apply"),
    "seq-len-one2one": (["--mode", "one2one", "--seq-len", "3"], "--seq-len must be 1"),
    "seq-len-one2many": (["--mode", "one2many", "--seq-len", "3"], "--seq-len does not apply"),
    "decoder-many2many": (
        ["--mode", "many2many", "--decoder", "repeat"],
        "--decoder does not apply",
    ),
    "dropout-one-layer": (["--mode", "many2one", "--dropout", "0.3"], "--num-layers 2 or more"),
    "one-class": (["--mode", "many2one", "--output-size", "1"], "--output-size"),
}


@pytest.mark.parametrize("args, words", SPEC_ERRORS.values(), ids=SPEC_ERRORS.keys())
def test_spec_errors_exit_1_with_one_line(tmp_path, args, words):
    result = run("new", "--framework", "pytorch", *args, "--out", tmp_path / "p")
    assert_one_line_error(result, words)
    assert snapshot(tmp_path) == {}


@pytest.mark.parametrize("where", ["file", "below-a-file"])
def test_out_pointing_at_a_file_is_an_error(tmp_path, where):
    (tmp_path / "taken").write_text("x\n")
    out = tmp_path / "taken" if where == "file" else tmp_path / "taken" / "p"
    result = run("new", "--framework", "keras", "--mode", "many2one", "--out", out)
    assert_one_line_error(result, "is a file, not a folder")
    assert snapshot(tmp_path) == {"taken": b"x\n"}


def test_new_writes_every_file_and_the_record(tmp_path):
    out = tmp_path / "p"
    result = run("new", "--framework", "pytorch", "--mode", "seq2seq", *SMALL, "--out", out)
    assert result.exit_code == 0, result.output
    files = generate(
        build_spec(
            {
                "framework": "pytorch",
                "mode": "seq2seq",
                "hidden_size": 16,
                "vocab_size": 50,
                "embed_dim": 8,
            }
        )
    )
    assert {name: (out / name).read_text() for name in files} == files
    assert f"wrote {len(files)} files to {out}" in result.stdout


@pytest.fixture
def project(tmp_path):
    """A generated folder with one file edited by the user."""
    out = tmp_path / "p"
    assert (
        run("new", "--framework", "keras", "--mode", "many2one", *SMALL, "--out", out).exit_code
        == 0
    )
    (out / "model.py").write_text((out / "model.py").read_text() + "# my edit\n")
    return out


def test_existing_files_are_refused_listed_and_nothing_is_written(project):
    before = snapshot(project)
    result = run("new", "--framework", "keras", "--mode", "many2one", "--out", project)
    assert_one_line_error(result, "already has", "model.py", "README.md", ANSWERS, "--force")
    assert snapshot(project) == before


def test_force_overwrites(project):
    (project / "mine.txt").write_text("kept\n")
    result = run(
        "new", "--framework", "keras", "--mode", "many2one", *SMALL, "--out", project, "--force"
    )
    assert result.exit_code == 0, result.output
    assert "# my edit" not in (project / "model.py").read_text()
    assert (project / "mine.txt").read_text() == "kept\n"


def test_dry_run_lists_files_and_sizes_and_writes_nothing(tmp_path):
    out = tmp_path / "p"
    result = run("new", "--framework", "pytorch", "--mode", "many2many", "--out", out, "--dry-run")
    assert result.exit_code == 0, result.output
    files = generate(build_spec({"framework": "pytorch", "mode": "many2many"}))
    for name, text in files.items():
        assert f"new  {out / name}  ({len(text.encode()):,} bytes)" in result.stdout
    assert result.stdout.endswith("dry run: nothing was written\n")
    assert snapshot(tmp_path) == {}


def test_dry_run_shows_a_unified_diff_against_existing_files(project):
    before = snapshot(project)
    result = run(
        "new", "--framework", "keras", "--mode", "many2one", *SMALL, "--out", project, "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert f"  changed  {project / 'model.py'}" in result.stdout
    assert f"unchanged  {project / 'train.py'}" in result.stdout
    assert f"--- {project / 'model.py'} (existing)" in result.stdout
    assert "\n-# my edit\n" in result.stdout
    assert snapshot(project) == before


FROM_CASES = {
    "keras-many2one": ["--framework", "keras", "--mode", "many2one"],
    "pytorch-one2many": [
        "--framework",
        "pytorch",
        "--mode",
        "one2many",
        "--out-len",
        "6",
        "--input",
        "features",
    ],
    "keras-seq2seq": [
        "--framework",
        "keras",
        "--mode",
        "seq2seq",
        "--num-layers",
        "2",
        "--dropout",
        "0.1",
        "--bidirectional",
    ],
}


@pytest.mark.parametrize("args", FROM_CASES.values(), ids=FROM_CASES.keys())
def test_from_regenerates_the_same_files_byte_for_byte(tmp_path, args):
    first, second = tmp_path / "first", tmp_path / "second"
    assert run("new", *args, "--out", first).exit_code == 0
    result = run("new", "--from", first / ANSWERS, "--out", second)
    assert result.exit_code == 0, result.output
    assert snapshot(second) == snapshot(first)


def test_from_accepts_the_folder_and_options_override_the_record(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert run("new", "--framework", "keras", "--mode", "many2one", "--out", first).exit_code == 0
    result = run("new", "--from", first, "--cell", "lstm", "--out", second)
    assert result.exit_code == 0, result.output
    assert json.loads((second / ANSWERS).read_text())["spec"]["cell"] == "lstm"


FROM_ERRORS = {
    "missing": (None, "no such file"),
    "not-json": ("{not json", "not a readable .rnngen.json"),
    "no-spec": ('{"files": {}}', "no 'spec' object"),
    "list": ("[1, 2]", "no 'spec' object"),
    "bad-spec": (
        '{"spec": {"framework": "keras", "mode": "many2one", "hidden_size": 0}}',
        "--hidden-size must be in",
    ),
    "huge-number": ('{"spec": {"hidden_size": 1' + "0" * 5000 + "}}", "not a readable"),
    "not-utf8": (b"\xff\xfe{}", "not a readable"),
}


@pytest.mark.parametrize("content, words", FROM_ERRORS.values(), ids=FROM_ERRORS.keys())
def test_from_errors_are_one_line(tmp_path, content, words):
    answers = tmp_path / "answers.json"
    if isinstance(content, bytes):
        answers.write_bytes(content)
    elif content is not None:
        answers.write_text(content)
    before = snapshot(tmp_path)
    result = run("new", "--from", answers, "--out", tmp_path / "p")
    assert_one_line_error(result, f"--from {answers}", words)
    assert snapshot(tmp_path) == before


# Failures at every stage of `rnngen new`, for a new folder and for an
# existing one overwritten with --force. The disk must be left as it was.


def break_template(monkeypatch):
    real = render.template_context
    monkeypatch.setattr(
        render,
        "template_context",
        lambda spec: {key: value for key, value in real(spec).items() if key != "command"},
    )


def break_black(monkeypatch):
    monkeypatch.setattr(
        black,
        "format_str",
        failing_after(2, black.InvalidInput("cannot parse: 1:4"), black.format_str),
    )


def fill_the_disk(monkeypatch):
    monkeypatch.setattr(
        writer.os,
        "fsync",
        failing_after(3, OSError(errno.ENOSPC, "No space left on device"), os.fsync),
    )


def deny_permission(monkeypatch):
    monkeypatch.setattr(
        writer.tempfile,
        "mkdtemp",
        failing_after(
            0, PermissionError(errno.EACCES, "Permission denied"), writer.tempfile.mkdtemp
        ),
    )


def press_ctrl_c(monkeypatch):
    monkeypatch.setattr(writer.os, "replace", failing_after(3, KeyboardInterrupt(), os.replace))
    monkeypatch.setattr(writer.os, "rename", failing_after(0, KeyboardInterrupt(), os.rename))


FAILURES = {
    "template": (break_template, "failed to render"),
    "black": (break_black, "is not valid Python: cannot parse"),
    "disk-full": (fill_the_disk, "No space left on device"),
    "permission": (deny_permission, "Permission denied"),
    "ctrl-c": (press_ctrl_c, None),
}


@pytest.mark.parametrize("target", ["new-folder", "existing-force"])
@pytest.mark.parametrize("failure", FAILURES, ids=str)
def test_a_failure_at_any_stage_leaves_the_disk_as_it_was(tmp_path, monkeypatch, failure, target):
    out = tmp_path / "p"
    if target == "existing-force":
        assert run("new", "--framework", "keras", "--mode", "many2one", "--out", out).exit_code == 0
        (out / "train.py").write_text("# the user's own train.py\n")
    before = snapshot(tmp_path)
    inject, words = FAILURES[failure]
    inject(monkeypatch)
    result = run(
        "new",
        "--framework",
        "keras",
        "--mode",
        "many2one",
        "--cell",
        "lstm",
        "--out",
        out,
        "--force",
    )
    if words is None:
        assert result.exit_code == 1 and "Aborted!" in result.stderr
        assert "Traceback" not in result.output
    else:
        assert_one_line_error(result, words)
    assert snapshot(tmp_path) == before


def test_help_lists_update_and_new():
    result = run("--help")
    assert result.exit_code == 0
    assert "new" in result.stdout and "update" in result.stdout
