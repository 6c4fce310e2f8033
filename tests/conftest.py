"""Shared helpers for rnngen's tests: the option matrix and project generation."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnngen.generate import generate
from rnngen.modes import FRAMEWORKS, MODES
from rnngen.spec import Spec, build_spec

# Test processes run side by side (pytest -n auto) and start generated scripts
# of their own: one thread per framework avoids oversubscribing the cores,
# which slows small recurrent networks several-fold.
for _variable in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
    os.environ.setdefault(_variable, "1")

REPO = Path(__file__).resolve().parents[1]
CELLS = ("gru", "lstm", "rnn")
INPUTS = ("tokens", "features")
DIRECTIONS = ("uni", "bi")


def spec_for(framework, mode, cell="gru", input="tokens", direction="uni", **extra) -> Spec:
    """A small spec, quick to build and run, for one point of the matrix."""
    options = {
        "framework": framework,
        "mode": mode,
        "cell": cell,
        "input": input,
        "bidirectional": direction == "bi",
        "hidden_size": 16,
        "output_size": 5,
        **extra,
    }
    if input == "tokens":
        options.setdefault("vocab_size", 50)
        options.setdefault("embed_dim", 8)
    else:
        options.setdefault("input_size", 6)
    if mode not in ("one2one", "one2many"):
        options.setdefault("seq_len", 7)
    if mode in ("one2many", "seq2seq"):
        options.setdefault("out_len", 4)
    return build_spec(options)


def matrix(frameworks=FRAMEWORKS, modes=tuple(MODES), cells=CELLS, inputs=INPUTS,
           directions=DIRECTIONS):
    """pytest params over the matrix, with ids like ``pytorch-many2one-gru-tokens-bi``."""
    return [
        pytest.param(combo, id="-".join(combo))
        for combo in itertools.product(frameworks, modes, cells, inputs, directions)
    ]


def write_project(folder: Path, spec: Spec) -> Path:
    """Render ``spec`` into ``folder`` (no atomicity needed in tests) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in generate(spec).items():
        (folder / name).write_text(text)
    return folder


def run_python(args, cwd, timeout=600, env_extra=None):
    """Run ``python ARGS`` in ``cwd``; return the CompletedProcess (text)."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "TF_CPP_MIN_LOG_LEVEL": "3", **(env_extra or {})}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True,
        timeout=timeout, env=env,
    )


class GeneratedModules:
    """The generated folder's ``model``, ``data`` and ``train`` modules, imported in-process."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self):
        import importlib

        names = ("model", "data", "train")
        self._saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
        sys.path.insert(0, str(self.folder))
        try:
            self.model = importlib.import_module("model")
            self.data = importlib.import_module("data")
            self.train = importlib.import_module("train")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info):
        sys.path.remove(str(self.folder))
        for name in ("model", "data", "train"):
            sys.modules.pop(name, None)
        sys.modules.update(self._saved)


def pytorch_step(generated, model, inputs, targets):
    """One Adam step through train.py's batch_loss; returns the loss and the unchanged weights."""
    import torch

    model.train()
    before = {name: value.detach().clone() for name, value in model.named_parameters()}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss = generated.train.batch_loss(model, inputs, targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    unchanged = [name for name, value in model.named_parameters()
                 if torch.equal(value, before[name])]
    return loss, unchanged
