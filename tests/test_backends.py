"""Generated Keras code runs unchanged on every Keras backend.

Keras reads KERAS_BACKEND once, at import, so each other backend gets its own
pytest process: the parity suite, the Keras model tests and the Keras end-to-end
runs. The main run covers the default backend (tensorflow).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO

SUITES = [
    pytest.param("torch", ["tests/test_parity.py"], id="torch-parity"),
    pytest.param(
        "torch",
        ["tests/test_models.py::test_keras_model_shape_and_one_step",
         "tests/test_train.py::test_train_then_predict", "-k", "keras"],
        id="torch-models-and-training",
    ),
    pytest.param("jax", ["tests/test_parity.py"], id="jax-parity"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("backend", "suite"), SUITES)
def test_keras_suites_pass_on_backend(backend, suite):
    if os.environ.get("KERAS_BACKEND", "tensorflow") == backend:
        pytest.skip(f"this run already uses KERAS_BACKEND={backend}")
    env = {**os.environ, "KERAS_BACKEND": backend}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         *suite],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1500,
    )
    summary = result.stdout.strip().splitlines()[-1:]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in summary[0] and " failed" not in summary[0], summary
