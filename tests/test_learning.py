"""Slow tier: every generated project learns its built-in task on a small budget.

The stated factor: after 8 epochs on 1,500 synthetic examples, the validation
loss of the saved model is at most half of the untrained model's. The full
targets (>= 0.90 accuracy, or MSE <= 1/10 of the mean predictor's, within 60 s)
are measured by benchmarks/learning.py, not here.
"""

from __future__ import annotations

import pytest

from conftest import GeneratedModules, write_project
from rnngen.modes import FRAMEWORKS, MODES, TASKS
from rnngen.spec import build_spec

FACTOR = 2.0
BUDGET = ["--epochs", "8", "--examples", "1500", "--seed", "0"]


def initial_val_loss(generated, framework):
    """The validation loss of the model train.py starts from (same seed, same split)."""
    config = generated.model.CONFIG
    x, y = generated.data.synthetic(config, 1500, seed=0)
    _, (x_val, y_val) = generated.data.split(x, y, config["validation_fraction"], seed=0)
    if framework == "pytorch":
        import torch

        torch.manual_seed(0)
        model = generated.model.build_model(config)
        metrics = generated.train.evaluate(
            model, torch.from_numpy(x_val), torch.from_numpy(y_val), 256, torch.device("cpu")
        )
        return metrics["loss"]
    import keras

    keras.utils.set_random_seed(0)
    model = generated.train.compile_model(generated.model.build_model(config), 1e-3, 1.0)
    return model.evaluate(x_val, y_val, verbose=0, return_dict=True)["loss"]


@pytest.mark.slow
@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_loss_falls_by_the_stated_factor(framework, mode, task, tmp_path):
    spec = build_spec({"framework": framework, "mode": mode, "task": task})
    with GeneratedModules(write_project(tmp_path / "project", spec)) as generated:
        before = initial_val_loss(generated, framework)
        after = generated.train.main([*BUDGET, "--out", str(tmp_path / "runs")])["val_loss"]
    assert after <= before / FACTOR, f"val loss {before:.4f} -> {after:.4f}"
