"""``rnngen update``: untouched files replaced, edits merged, conflicts marked, nothing lost."""

from __future__ import annotations

import errno
import json
import os

import pytest
from test_cli import assert_one_line_error, run
from test_writer import failing_after, snapshot

from rnngen import update, writer
from rnngen.errors import UpdateError
from rnngen.generate import ANSWERS, file_hash, generate
from rnngen.spec import build_spec

OPTIONS = {
    "framework": "keras",
    "mode": "many2one",
    "hidden_size": 16,
    "vocab_size": 50,
    "embed_dim": 8,
}
HIDDEN_LINE = '    "hidden_size": 16,  # units per recurrent layer and direction\n'


@pytest.fixture
def project(tmp_path):
    out = tmp_path / "p"
    writer.write_project(out, generate(build_spec(OPTIONS)))
    return out


def edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def expected(**changes):
    return generate(build_spec(OPTIONS).replace(**changes))


def test_untouched_files_are_replaced_and_the_record_follows(project):
    result = run("update", project, "--set", "hidden_size=32", "--set", "cell=lstm")
    assert result.exit_code == 0, result.output
    files = expected(hidden_size=32, cell="lstm")
    assert snapshot(project) == {name: text.encode() for name, text in files.items()}
    assert "spec: cell: gru -> lstm; hidden_size: 16 -> 32" in result.stdout
    assert "  updated  model.py" in result.stdout


def test_a_user_edit_away_from_the_changes_merges_cleanly(project):
    edit(project / "model.py", "import keras\n", "import keras  # my favourite framework\n")
    edit(project / "README.md", "## ", "My notes on this model.\n\n## ")
    result = run("update", project, "--set", "cell=lstm")
    assert result.exit_code == 0, result.output
    model = (project / "model.py").read_text()
    assert "import keras  # my favourite framework\n" in model
    assert "keras.layers.LSTM(" in model and "<<<<<<<" not in model
    assert "My notes on this model." in (project / "README.md").read_text()
    assert "  merged   model.py" in result.stdout
    # The record holds the new render's hashes, so the merge base next time is right.
    record = json.loads((project / ANSWERS).read_text())
    assert record["files"]["model.py"] == file_hash(expected(cell="lstm")["model.py"])
    assert record["spec"]["cell"] == "lstm"


def test_overlapping_edits_are_written_with_markers_and_exit_1(project):
    edit(project / "model.py", HIDDEN_LINE, '    "hidden_size": 20,  # tuned by hand\n')
    result = run("update", project, "--set", "hidden_size=64")
    assert_one_line_error(result, "conflicts left in model.py", "<<<<<<<")
    assert "  conflict  model.py  (1 conflict marked in the file)" in result.stdout
    model = (project / "model.py").read_text()
    assert (
        '<<<<<<< yours\n    "hidden_size": 20,  # tuned by hand\n=======\n'
        '    "hidden_size": 64,  # units per recurrent layer and direction\n>>>>>>> rnngen\n'
    ) in model
    # Files without a conflict were still updated in the same step.
    assert (project / "train.py").read_text() == expected(hidden_size=64)["train.py"]


def test_an_update_refuses_while_conflict_markers_remain(project):
    edit(project / "model.py", HIDDEN_LINE, '    "hidden_size": 20,\n')
    assert run("update", project, "--set", "hidden_size=64").exit_code == 1
    before = snapshot(project)
    result = run("update", project, "--set", "hidden_size=65")
    assert_one_line_error(result, "model.py", "conflict markers", "resolve them first")
    assert snapshot(project) == before


def test_untouched_folder_with_nothing_to_change_writes_nothing(project):
    edit(project / "train.py", "import keras\n", "import keras  # edited\n")
    before = snapshot(project)
    result = run("update", project)
    assert result.exit_code == 0, result.output
    assert "  kept       train.py  (your edits; nothing new from rnngen)" in result.stdout
    assert "  unchanged  model.py" in result.stdout
    assert "already up to date; nothing to write" in result.stdout
    assert snapshot(project) == before


def test_a_deleted_file_stays_deleted(project):
    (project / "predict.py").unlink()
    result = run("update", project, "--set", "hidden_size=24")
    assert result.exit_code == 0, result.output
    assert "deleted  predict.py  (you deleted it; not recreated)" in result.stdout
    assert not (project / "predict.py").exists()


def as_if_made_by_an_older_rnngen(project, name="model.py"):
    """Rewrite ``name`` and its recorded hash as older templates would have left them."""
    record = json.loads((project / ANSWERS).read_text())
    old = (project / name).read_text().replace("import keras\n", "import keras  # 0.0.9\n", 1)
    (project / name).write_text(old)
    record["files"][name] = file_hash(old)
    record["rnngen_version"] = "0.0.9"
    (project / ANSWERS).write_text(json.dumps(record, indent=2) + "\n")


def test_a_stale_base_never_overwrites_an_edited_file(project):
    as_if_made_by_an_older_rnngen(project)
    edit(project / "model.py", HIDDEN_LINE, HIDDEN_LINE.replace("direction", "direction (mine)"))
    mine = (project / "model.py").read_bytes()
    result = run("update", project, "--set", "hidden_size=32")
    assert_one_line_error(result, "conflicts left in model.py", "model.py.rnngen-new")
    assert "warning:" in result.stdout and "rnngen 0.0.9" in result.stdout
    assert "no longer renders its spec to the same model.py" in result.stdout
    assert (project / "model.py").read_bytes() == mine
    assert (project / "model.py.rnngen-new").read_text() == expected(hidden_size=32)["model.py"]


def test_a_stale_base_still_replaces_an_untouched_file(project):
    as_if_made_by_an_older_rnngen(project)
    result = run("update", project, "--set", "hidden_size=32")
    assert result.exit_code == 0, result.output
    assert (project / "model.py").read_text() == expected(hidden_size=32)["model.py"]


def test_a_file_that_is_not_text_gets_a_sidecar(project):
    (project / "data.py").write_bytes(b"\xff\xfe binary now")
    result = run("update", project, "--set", "hidden_size=32")
    assert_one_line_error(result, "data.py")
    assert (project / "data.py").read_bytes() == b"\xff\xfe binary now"
    assert (project / "data.py.rnngen-new").read_text() == expected(hidden_size=32)["data.py"]


def test_switching_mode_re_renders_everything(project):
    result = run("update", project, "--set", "mode=seq2seq", "--set", "out_len=4")
    assert result.exit_code == 0, result.output
    record = json.loads((project / ANSWERS).read_text())
    assert record["spec"]["mode"] == "seq2seq" and record["spec"]["out_len"] == 4
    assert (project / "model.py").read_text() == expected(mode="seq2seq", out_len=4)["model.py"]


def test_dry_run_shows_the_update_and_writes_nothing(project):
    edit(project / "model.py", "import keras\n", "import keras  # mine\n")
    before = snapshot(project)
    result = run("update", project, "--set", "hidden_size=32", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "update " in result.stdout and "(dry run)" in result.stdout
    assert '+    "hidden_size": 32,' in result.stdout
    assert result.stdout.endswith("dry run: nothing was written\n")
    assert snapshot(project) == before


@pytest.mark.parametrize("failure", ["disk-full", "ctrl-c"])
def test_an_update_is_atomic(project, monkeypatch, failure):
    edit(project / "model.py", "import keras\n", "import keras  # mine\n")
    before = snapshot(project)
    error = (
        KeyboardInterrupt()
        if failure == "ctrl-c"
        else OSError(errno.ENOSPC, "No space left on device")
    )
    monkeypatch.setattr(writer.os, "replace", failing_after(5, error, os.replace))
    result = run("update", project, "--set", "hidden_size=32")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert snapshot(project) == before


SETS = {
    "int": (["hidden_size=32"], {"hidden_size": 32}),
    "dashes": (["hidden-size=+32"], {"hidden_size": 32}),
    "bool-true": (["bidirectional=true"], {"bidirectional": True}),
    "bool-false": (["bidirectional=False"], {"bidirectional": False}),
    "float": (["dropout=0.25", "num_layers=2"], {"dropout": 0.25, "num_layers": 2}),
    "float-int": (["dropout=0"], {"dropout": 0.0}),
    "choice": (["cell=lstm", "mode=seq2seq"], {"cell": "lstm", "mode": "seq2seq"}),
}


@pytest.mark.parametrize("pairs, changes", SETS.values(), ids=SETS.keys())
def test_set_values_are_typed_by_the_spec(pairs, changes):
    parsed = update.parse_sets(pairs)
    assert parsed == changes
    assert [type(value) for value in parsed.values()] == [type(value) for value in changes.values()]


BAD_SETS = {
    "no-equals": (["hidden_size"], "expected KEY=VALUE"),
    "no-key": (["=3"], "expected KEY=VALUE"),
    "unknown": (["colour=red"], "--set colour: unknown option"),
    "text-for-int": (["hidden_size=abc"], "--set hidden_size: takes a whole number, not 'abc'"),
    "float-for-int": (["hidden_size=1.5"], "--set hidden_size: takes a whole number"),
    "huge-int": (["hidden_size=" + "9" * 40], "--set hidden_size: takes a whole number"),
    "bad-bool": (["bidirectional=yes"], "--set bidirectional: takes true or false"),
    "bad-float": (["dropout=half"], "--set dropout: takes a number"),
    "bad-choice": (["cell=cnn"], "--set cell: takes one of gru, lstm, rnn"),
    "empty": (["hidden_size="], "--set hidden_size: needs a value"),
    "twice": (["hidden_size=3", "hidden-size=4"], "--set hidden_size: given more than once"),
    "out-of-range": (["hidden_size=0"], "--set: --hidden-size must be in 1..65536"),
    "does-not-apply": (["out_len=5"], "--set: --out-len does not apply"),
    "dropout-one-layer": (["dropout=0.5"], "--num-layers 2 or more"),
}


@pytest.mark.parametrize("pairs, words", BAD_SETS.values(), ids=BAD_SETS.keys())
def test_bad_set_values_are_one_line_errors_and_write_nothing(project, pairs, words):
    before = snapshot(project)
    result = run("update", project, *[arg for pair in pairs for arg in ("--set", pair)])
    assert_one_line_error(result, words)
    assert snapshot(project) == before


def test_not_a_generated_folder(tmp_path, project):
    assert_one_line_error(run("update", tmp_path / "nowhere"), "no such folder")
    (tmp_path / "file").write_text("x\n")
    assert_one_line_error(run("update", tmp_path / "file"), "is a file, not a generated folder")
    (tmp_path / "plain").mkdir()
    assert_one_line_error(run("update", tmp_path / "plain"), "has no .rnngen.json")
    record = json.loads((project / ANSWERS).read_text())
    record["files"] = ["model.py"]
    (project / ANSWERS).write_text(json.dumps(record))
    assert_one_line_error(run("update", project), "'files' must map file names")


def test_plan_update_writes_nothing_and_reports_unresolved_files(project):
    edit(project / "model.py", HIDDEN_LINE, '    "hidden_size": 20,\n')
    before = snapshot(project)
    plan = update.plan_update(project, {"hidden_size": 64})
    assert snapshot(project) == before
    assert [item.name for item in plan.unresolved] == ["model.py"]
    assert set(plan.writes) == set(generate(build_spec(OPTIONS)))
    with pytest.raises(UpdateError, match="conflict"):
        raise UpdateError(update.unresolved_message(plan))


def test_dry_run_with_conflicts_exits_1_and_writes_nothing(project):
    edit(project / "model.py", HIDDEN_LINE, '    "hidden_size": 20,\n')
    before = snapshot(project)
    result = run("update", project, "--set", "hidden_size=64", "--dry-run")
    assert_one_line_error(result, "would leave conflicts in model.py; nothing was written")
    assert "  conflict  model.py" in result.stdout
    assert snapshot(project) == before
