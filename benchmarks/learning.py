"""Does every generated project learn its built-in task? A benchmark, run on purpose.

For each framework x mode x task it generates a project with rnngen's defaults
(only --task changes), runs ``python train.py`` with its default
hyperparameters, and prints the final validation metric and the wall time:

- classification: validation accuracy (target >= 0.90);
- regression: validation MSE over the MSE of predicting the training mean
  (target <= 0.10).

    python benchmarks/learning.py                       # the whole grid
    python benchmarks/learning.py --framework pytorch --mode seq2seq --task regression

It prints a markdown table (the one in the README) and exits 1 if any cell
misses its target or its 60 s budget.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rnngen.generate import generate
from rnngen.modes import FRAMEWORKS, MODES, TASKS
from rnngen.spec import build_spec

BUDGET_SECONDS = 60.0
BASELINE = """
import json, sys, numpy as np, data, model
config = model.CONFIG
x, y = data.synthetic(config, config["synthetic_examples"], seed=0)
(x_train, y_train), (x_val, y_val) = data.split(x, y, config["validation_fraction"], seed=0)
errors = ((y_val - y_train.mean(axis=0)) ** 2).mean(axis=-1)
if config.get("mode") == "many2many" and "vocab_size" in config:
    valid = x_val != 0
    print(float(errors[valid].mean()))
else:
    print(float(errors.mean()))
"""


def run_one(framework: str, mode: str, task: str, folder: Path) -> dict:
    spec = build_spec({"framework": framework, "mode": mode, "task": task})
    folder.mkdir(parents=True)
    for name, text in generate(spec).items():
        (folder / name).write_text(text)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "train.py"], cwd=folder, capture_output=True,
                            text=True, env=env)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        return {"ok": False, "metric": float("nan"), "seconds": seconds,
                "detail": result.stderr.strip().splitlines()[-1:]}
    metrics = json.loads((folder / "runs" / "metrics.json").read_text())
    if task == "classification":
        metric, ok = metrics["val_accuracy"], metrics["val_accuracy"] >= 0.90
    else:
        code = BASELINE.replace('config.get("mode")', repr(mode))
        baseline = float(subprocess.run([sys.executable, "-c", code], cwd=folder,
                                        capture_output=True, text=True, check=True).stdout)
        metric = metrics["val_loss"] / baseline
        ok = metric <= 0.10
    return {"ok": ok and seconds <= BUDGET_SECONDS, "metric": metric, "seconds": seconds,
            "epochs": metrics["epochs"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", action="append", choices=FRAMEWORKS)
    parser.add_argument("--mode", action="append", choices=list(MODES))
    parser.add_argument("--task", action="append", choices=TASKS)
    args = parser.parse_args()
    grid = itertools.product(args.mode or list(MODES), args.framework or FRAMEWORKS,
                             args.task or TASKS)
    print("| mode | framework | task | metric | target | epochs | seconds | ok |")
    print("|---|---|---|---|---|---|---|---|")
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for mode, framework, task in grid:
            row = run_one(framework, mode, task, Path(scratch) / f"{framework}-{mode}-{task}")
            name = "val accuracy" if task == "classification" else "val MSE / mean-predictor MSE"
            target = ">= 0.90" if task == "classification" else "<= 0.10"
            print(f"| {mode} | {framework} | {task} | {name} {row['metric']:.3f} | {target} "
                  f"| {row.get('epochs', '-')} | {row['seconds']:.1f} | "
                  f"{'yes' if row['ok'] else 'NO'} |", flush=True)
            failures += not row["ok"]
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
