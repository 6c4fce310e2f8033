"""Slow tier: the generated train.py and predict.py run end to end, as a user runs them."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from conftest import run_python, spec_for, write_project
from rnngen.modes import FRAMEWORKS, MODES


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_train_then_predict(framework, mode, tmp_path):
    folder = write_project(tmp_path / "project", spec_for(framework, mode, "lstm", "tokens", "bi"))
    result = run_python(
        ["train.py", "--epochs", "1", "--examples", "64", "--batch-size", "16", "--out", "runs"],
        cwd=folder,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"val[ _]loss", result.stdout), result.stdout  # per-epoch progress
    metrics = json.loads((folder / "runs" / "metrics.json").read_text())
    assert {"train_loss", "val_loss", "val_accuracy"} <= set(metrics)
    assert all(np.isfinite(value) for value in metrics.values())
    model_file = {"pytorch": "model.pt", "keras": "model.keras"}[framework]
    assert (folder / "runs" / model_file).is_file()

    x, _ = _data(folder, examples=9)
    np.savez(folder / "new.npz", x=x)
    result = run_python(["predict.py", "new.npz", "--model", f"runs/{model_file}"], cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    predictions = np.load(folder / "predictions.npy")
    assert predictions.shape[0] == 9
    assert np.issubdtype(predictions.dtype, np.integer)


@pytest.mark.slow
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_train_on_user_npz_regression(framework, tmp_path):
    spec = spec_for(framework, "many2many", "gru", "features", "uni", task="regression",
                    output_size=1)
    folder = write_project(tmp_path / "project", spec)
    x, y = _data(folder, examples=40)
    np.savez(folder / "mine.npz", x=x[:30], y=y[:30, ..., 0])  # one target: no trailing axis
    np.savez(folder / "mine_val.npz", x=x[30:], y=y[30:])
    result = run_python(["train.py", "--data", "mine.npz", "--epochs", "1"], cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "24 train, 6 validation examples" in result.stdout  # a seeded 20% split
    result = run_python(["train.py", "--data", "mine.npz", "--val-data", "mine_val.npz",
                         "--epochs", "1"], cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "30 train, 10 validation examples" in result.stdout
    metrics = json.loads((folder / "runs" / "metrics.json").read_text())
    assert set(metrics) >= {"train_loss", "val_loss"} and "val_accuracy" not in metrics


@pytest.mark.slow
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_bad_npz_gets_one_line_naming_the_array(framework, tmp_path):
    folder = write_project(tmp_path / "project", spec_for(framework, "many2one"))
    x, y = _data(folder, examples=10)
    np.savez(folder / "bad_shape.npz", x=x, y=np.zeros((10, 3), dtype=np.int64))
    np.savez(folder / "bad_key.npz", inputs=x, y=y)
    np.savez(folder / "bad_dtype.npz", x=x.astype(np.float32), y=y)
    expected = {
        "bad_shape.npz": "y has shape (10, 3), expected (10,)",
        "bad_key.npz": "missing array 'x'",
        "bad_dtype.npz": "x must hold integer token ids, got dtype float32",
    }
    for name, message in expected.items():
        result = run_python(["train.py", "--data", name, "--epochs", "1"], cwd=folder)
        assert result.returncode == 1
        lines = [line for line in result.stderr.strip().splitlines() if not _framework_log(line)]
        assert len(lines) == 1 and message in lines[0], result.stderr


def _framework_log(line):
    """TensorFlow's own start-up log lines (it logs when imported, on any Keras backend)."""
    return (
        bool(re.match(r"[IWE]\d{4} ", line))
        or "absl::InitializeLog" in line
        or "oneDNN" in line
        or "cuda" in line.lower()
    )


def _data(folder, examples):
    code = (
        "import json, sys, numpy as np, data, model;"
        f"x, y = data.synthetic(model.CONFIG, {examples}, seed=1);"
        "np.savez('synthetic.npz', x=x, y=y)"
    )
    result = run_python(["-c", code], cwd=folder)
    assert result.returncode == 0, result.stderr
    with np.load(folder / "synthetic.npz") as arrays:
        return arrays["x"], arrays["y"]


@pytest.mark.slow
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_same_seed_same_run_and_resume(framework, tmp_path):
    folder = write_project(tmp_path / "project", spec_for(framework, "many2one", "gru", "tokens"))
    args = ["train.py", "--epochs", "2", "--examples", "64", "--seed", "7"]
    runs = []
    for out in ("first", "second"):
        result = run_python([*args, "--out", out], cwd=folder)
        assert result.returncode == 0, result.stderr
        runs.append(json.loads((folder / out / "metrics.json").read_text()))
    assert runs[0] == runs[1]

    result = run_python([*args, "--epochs", "3", "--out", "first", "--resume"], cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "resumed from" in result.stdout and "after epoch 2" in result.stdout
    assert json.loads((folder / "first" / "metrics.json").read_text())["epochs"] == 3
