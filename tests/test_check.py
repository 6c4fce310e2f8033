"""``rnngen check``: good folders pass; each kind of broken folder fails naming its cause."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import spec_for, write_project

from rnngen import check as checking
from rnngen.cli import main

STEP_NAMES = list(checking.STEPS)


def run_check(*args):
    return CliRunner().invoke(main, ["check", *map(str, args)])


def project(tmp_path, framework="pytorch", mode="many2one", name="project", **extra) -> Path:
    return write_project(tmp_path / name, spec_for(framework, mode, **extra))


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) in a generated file."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}; the template changed"
    path.write_text(text.replace(old, new, 1))


def reported_steps(output: str) -> list[str]:
    return [line.split()[0] for line in output.splitlines() if line.startswith("  ")
            and line.split()[0] in STEP_NAMES]


## Good folders
@pytest.mark.slow
def test_good_pytorch_folder_passes_every_step(tmp_path):
    folder = project(tmp_path, "pytorch", "many2one")
    report = tmp_path / "reports" / "check.json"
    result = run_check(folder, "--report", report)
    assert result.exit_code == 0, result.output
    assert reported_steps(result.output) == STEP_NAMES
    assert "  train " in result.output and "every weight changed" in result.output
    assert "predict.py wrote 10 predictions, shape (10,)" in result.output
    assert f"passed: {folder} (pytorch many2one on " in result.output
    data = json.loads(report.read_text())
    [case] = data["cases"]
    assert (data["passed"], data["failed"], case["ok"]) == (1, 0, True)
    assert [step["step"] for step in case["steps"]] == STEP_NAMES
    # The check leaves the folder as it found it: no bytecode, no runs/.
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        ["model.py", "data.py", "train.py", "predict.py", "test_model.py", "README.md",
         ".rnngen.json"])


@pytest.mark.slow
def test_good_keras_folder_passes_on_the_cpu(tmp_path):
    folder = project(tmp_path, "keras", "seq2seq", input="features", task="regression")
    result = run_check(folder, "--device", "cpu", "--train-steps", "2")
    assert result.exit_code == 0, result.output
    assert reported_steps(result.output) == STEP_NAMES
    assert "with tensorflow on cpu (asked for)" in result.output
    assert "(4, 4, 5) = (batch, out_len, output_size)" in result.output
    assert "2 steps, loss" in result.output
    assert "predict.py wrote 10 predictions, shape (10, 4, 5)" in result.output


## Broken folders
def test_syntax_error_in_model_names_the_file_and_line(tmp_path):
    folder = project(tmp_path)
    edit(folder / "model.py", "    def forward(self, tokens):", "    def forward(self, tokens)")
    line = folder.joinpath("model.py").read_text().splitlines().index(
        "    def forward(self, tokens)") + 1
    report = tmp_path / "check.json"
    result = run_check(folder, "--report", report)
    assert result.exit_code == 1
    assert f"FAIL: model.py line {line}: SyntaxError: expected ':'" in result.output
    assert f"error: step 'compile' failed in {folder / 'model.py'}" in result.output
    assert "check_runner" not in result.output  # the message points at the folder, not rnngen
    case = json.loads(report.read_text())["cases"][0]
    assert (case["ok"], case["failed_step"], case["failed_file"]) == (False, "compile", "model.py")


@pytest.mark.slow
@pytest.mark.parametrize(
    "old, new, message",
    [
        pytest.param('config["output_size"])', 'config["output_size"] + 1)',
                     "model.py: output shape (4, 6), expected (4, 5) = (batch, output_size)",
                     id="wrong-output-size"),
        pytest.param('nn.Linear(directions * config["hidden_size"]',
                     'nn.Linear(2 * directions * config["hidden_size"]',
                     "in forward: RuntimeError: mat1 and mat2 shapes cannot be multiplied",
                     id="wrong-input-size"),
    ],
)
def test_shape_error_in_the_head_fails_at_shape(tmp_path, old, new, message):
    folder = project(tmp_path)
    edit(folder / "model.py", old, new)
    result = run_check(folder)
    assert result.exit_code == 1
    assert message in result.output
    assert f"error: step 'shape' failed in {folder / 'model.py'}: " in result.output


@pytest.mark.slow
@pytest.mark.parametrize(
    "file, old, new, blamed",
    [
        # The model's outputs turn NaN only when training, so the shape step passes.
        pytest.param("model.py", "return self.head(final)",
                     'return self.head(final) * (float("nan") if self.training else 1.0)',
                     "model.py's outputs hold NaN or inf in training mode", id="nan-outputs"),
        pytest.param("train.py", "return (losses * weights).sum()",
                     'return float("nan") * (losses * weights).sum()',
                     "from finite model outputs: look at train.py's batch_loss", id="nan-loss"),
    ],
)
def test_nan_loss_fails_at_train_and_blames_its_source(tmp_path, file, old, new, blamed):
    folder = project(tmp_path)
    edit(folder / file, old, new)
    result = run_check(folder)
    assert result.exit_code == 1
    assert "  shape " in result.output and "FAIL: loss is nan at step 1 of 3" in result.output
    assert f"error: step 'train' failed in {folder / file}: loss is nan" in result.output
    assert blamed in result.output


@pytest.mark.slow
def test_a_layer_the_loss_never_reaches_fails_at_train(tmp_path):
    folder = project(tmp_path)
    edit(folder / "model.py", "        self.config = config\n",
         "        self.config = config\n        self.unused = nn.Linear(2, 2)\n")
    result = run_check(folder)
    assert result.exit_code == 1
    assert (f"error: step 'train' failed in {folder / 'model.py'}: 2 of the weights did not "
            "change in 3 training steps (unused.weight, unused.bias)") in result.output


@pytest.fixture(scope="module")
def python_without_torch(tmp_path_factory) -> Path:
    """A real virtual environment holding numpy only, as a CI job that forgot torch."""
    if os.name != "posix":
        pytest.skip("builds a POSIX virtual environment")
    root = tmp_path_factory.mktemp("no-torch")
    venv.EnvBuilder(with_pip=False, symlinks=True).create(root)
    python = root / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    numpy_folder = Path(np.__file__).parent
    for name in (numpy_folder.name, numpy_folder.name + ".libs"):
        if (numpy_folder.parent / name).exists():
            Path(site, name).symlink_to(numpy_folder.parent / name)
    probe = subprocess.run([python, "-c", "import numpy, torch"], capture_output=True,
                           text=True, check=False)
    assert "No module named 'torch'" in probe.stderr, probe.stderr
    return python


def test_missing_framework_says_what_to_install(tmp_path, python_without_torch):
    folder = project(tmp_path)
    result = run_check(folder, "--python", python_without_torch)
    assert result.exit_code == 1
    assert (f"FAIL: framework not installed: torch cannot be imported by {python_without_torch}; "
            "pip install torch") in result.output
    assert f"error: step 'framework' failed in {folder}: framework not installed" in result.output
    assert "point --python at a Python that has it" in result.output


## Several folders in one process
@pytest.mark.slow
def test_one_process_checks_several_folders_and_survives_a_crash(tmp_path):
    first = project(tmp_path, "pytorch", "many2one", name="first")
    crash = project(tmp_path, "pytorch", "many2one", name="crash")
    edit(crash / "model.py", "return self.head(final)", "import os; os.abort()")
    last = project(tmp_path, "pytorch", "seq2seq", name="last")
    options = checking.Options(device="cpu", train_steps=1, timeout=300)
    results = checking.check_folders([first, crash, last], options,
                                     checking._environment(options))
    assert [result.ok for result in results] == [True, False, True]
    failure = results[1].failure
    assert (failure.name, failure.file) == ("shape", "model.py")
    assert "killed by SIGABRT" in failure.message
    # The second model.py is seq2seq's own, not the first folder's left in sys.modules.
    shape = next(step for step in results[2].steps if step.name == "shape")
    assert shape.message == "(4, 4, 5) = (batch, out_len, output_size)"


def test_a_hung_runner_is_stopped_at_the_timeout(tmp_path):
    hanging = tmp_path / "python"
    hanging.write_text("#!/bin/sh\nsleep 600\n")
    hanging.chmod(0o755)
    folder = project(tmp_path)
    options = checking.Options(timeout=1, python=str(hanging))
    [result] = checking.check_folders([folder], options, checking._environment(options))
    assert not result.ok
    assert result.failure.message == "no result within --timeout 1s"


## The matrix
@pytest.mark.slow
def test_matrix_report_for_one_case(tmp_path):
    report = tmp_path / "matrix.json"
    result = run_check("--matrix", "--framework", "pytorch", "--mode", "many2one",
                       "-j", "1", "--report", report)
    assert result.exit_code == 0, result.output
    assert "1 cases: 1 passed, 0 failed" in result.output
    row = next(line for line in result.output.splitlines() if line.startswith("pytorch "))
    cells = row.split()
    assert cells[:5] == ["pytorch", "many2one", "gru", "tokens", "classification"]
    assert cells[6] == "pass"
    data = json.loads(report.read_text())
    assert (data["passed"], data["failed"], data["jobs"], data["device"]) == (1, 0, 1, "auto")
    [case] = data["cases"]
    assert case["id"] == "pytorch-many2one-gru-tokens-classification"
    assert {key: case[key] for key in ("framework", "mode", "cell", "input", "task")} == {
        "framework": "pytorch", "mode": "many2one", "cell": "gru", "input": "tokens",
        "task": "classification"}
    assert case["ok"] is True and case["failed_step"] is None and case["folder"] is None
    assert case["device"] in ("cpu", "cuda", "mps")
    assert [step["step"] for step in case["steps"]] == STEP_NAMES
    assert case["seconds"] > 0 and data["seconds"] >= case["seconds"]


def test_matrix_groups_each_framework_into_at_most_jobs_processes():
    cases = checking.matrix_cases()
    assert len(cases) == 10
    groups = checking._groups(cases, jobs=2)
    assert [len(group) for group in groups] == [3, 2, 3, 2]
    assert all(len({case.framework for case in group}) == 1 for group in groups)
    assert groups[0][0].framework == "keras"  # the slow framework starts first
    assert len(checking._groups(cases, jobs=16)) == 10


## The command line
@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param([], "Missing FOLDER (or give --matrix).", id="nothing"),
        pytest.param(["some-folder", "--matrix"], "Give a FOLDER or --matrix, not both.",
                     id="both"),
        pytest.param(["some-folder", "--cell", "lstm"], "--cell applies to --matrix only.",
                     id="matrix-only-option"),
        pytest.param(["some-folder", "--device", "tpu"], "'tpu' is not one of", id="device"),
    ],
)
def test_usage_errors(args, message):
    result = run_check(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_a_folder_rnngen_did_not_write(tmp_path):
    result = run_check(tmp_path)
    assert result.exit_code == 1
    assert f"error: {tmp_path}: no model.py here" in result.output
    result = run_check(tmp_path / "missing")
    assert result.exit_code == 1
    assert "no such folder" in result.output


def test_the_cli_process_never_imports_a_framework(tmp_path):
    folder = project(tmp_path)
    (folder / "model.py").write_text("def broken(:\n")
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from rnngen.cli import main\n"
        f"result = CliRunner().invoke(main, ['check', {str(folder)!r}])\n"
        "assert result.exit_code == 1, result.output\n"
        "print(sorted({'torch', 'keras', 'tensorflow', 'jax'} & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
