"""Parameter counts: what rnngen reports is what each framework builds.

``rnngen.architecture.layers`` computes every layer's parameters from the spec
alone, for the generated README and the summary ``rnngen new`` prints. These
tests build both frameworks' models over the matrix and compare, layer by
layer and in total, against ``sum(p.numel())`` (PyTorch) and ``count_params()``
(Keras). The counts differ between frameworks by design for LSTM and SimpleRNN:
torch keeps two bias vectors per gate (``b_ih``, ``b_hh``), Keras one.
"""

from __future__ import annotations

import itertools
import re
import shlex

import pytest
from click.testing import CliRunner

from conftest import CELLS, DIRECTIONS, INPUTS, spec_for
from rnngen.architecture import GATES, layers, param_count
from rnngen.cli import main
from rnngen.modes import MODES
from weight_transfer import build_generated

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")


def count_matrix():
    """mode x cell x input x direction x layers; ids like ``many2one-gru-tokens-bi-2layers``."""
    return [
        pytest.param(combo, id="-".join([*combo[:-1], f"{combo[-1]}layers"]))
        for combo in itertools.product(MODES, CELLS, INPUTS, DIRECTIONS, (1, 2))
    ]


def spec_of(combo):
    mode, cell, input_kind, direction, num_layers = combo
    extra = {"num_layers": 2, "dropout": 0.25} if num_layers == 2 else {}
    return spec_for("pytorch", mode, cell, input_kind, direction, **extra)


def torch_layer_params(model, name):
    """Parameters of the row ``name`` in the torch model.

    A row ``rnn_k`` is one slice of the fused module: its ``_l{k-1}`` parameters.
    """
    match = re.fullmatch(r"(rnn|encoder|decoder)_(\d+)", name)
    if match is None:
        module = getattr(model, name, None)
        return 0 if module is None else sum(p.numel() for p in module.parameters())
    module, index = getattr(model, match[1]), int(match[2]) - 1
    return sum(
        value.numel()
        for key, value in module.named_parameters()
        if re.search(rf"_l{index}(_reverse)?$", key)
    )


def keras_layer(model, name):
    """The Keras layer for the row ``name`` (a bidirectional layer's wrapper)."""
    names = {layer.name for layer in model.layers}
    return model.get_layer(f"bidirectional_{name}" if f"bidirectional_{name}" in names else name)


@pytest.mark.slow
@pytest.mark.parametrize("combo", count_matrix())
def test_pytorch_counts_match_the_built_model(combo, tmp_path):
    spec = spec_of(combo)
    model = build_generated(spec, tmp_path, "pytorch")
    rows = layers(spec)
    per_row = {row.name: torch_layer_params(model, row.name) for row in rows}
    assert per_row == {row.name: row.pytorch_params for row in rows}
    # Every parameter belongs to some row: none is missed by the slicing above.
    assert sum(p.numel() for p in model.parameters()) == sum(per_row.values())
    assert sum(p.numel() for p in model.parameters()) == param_count(spec, "pytorch")


@pytest.mark.slow
@pytest.mark.parametrize("combo", count_matrix())
def test_keras_counts_and_layers_match_the_built_model(combo, tmp_path):
    spec = spec_of(combo)
    model = build_generated(spec, tmp_path, "keras")
    rows = layers(spec)
    built = [layer.name for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    assert built == [keras_layer(model, row.name).name for row in rows]
    per_row = {row.name: keras_layer(model, row.name).count_params() for row in rows}
    assert per_row == {row.name: row.keras_params for row in rows}
    assert model.count_params() == param_count(spec, "keras")


@pytest.mark.parametrize("cell", CELLS)
def test_the_frameworks_differ_by_one_bias_per_gate_for_lstm_and_simple_rnn(cell):
    spec = spec_for("pytorch", "many2one", cell, "features", "bi", num_layers=2, dropout=0.25)
    difference = param_count(spec, "pytorch") - param_count(spec, "keras")
    one_bias_per_gate = GATES[cell] * spec.hidden_size
    layers_and_directions = spec.num_layers * 2
    expected = 0 if cell == "gru" else one_bias_per_gate * layers_and_directions
    assert difference == expected


SUMMARY_CASES = [
    pytest.param(("pytorch", "many2one", "lstm", "tokens", "bi"), id="pytorch-many2one-lstm"),
    pytest.param(("keras", "many2one", "lstm", "tokens", "bi"), id="keras-many2one-lstm"),
    pytest.param(("pytorch", "seq2seq", "gru", "features", "uni"), id="pytorch-seq2seq-gru"),
    pytest.param(("keras", "one2many", "rnn", "tokens", "uni"), id="keras-one2many-rnn"),
]


@pytest.mark.slow
@pytest.mark.parametrize("combo", SUMMARY_CASES)
def test_new_prints_files_layers_and_the_count_the_framework_reports(combo, tmp_path):
    spec = spec_for(*combo, num_layers=2, dropout=0.25)
    out = tmp_path / "project"
    # The spec's own command line, as a user would type it.
    args = shlex.split(spec.command())[1:] + ["--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in out.iterdir())
    assert f"wrote {len(written)} files to {out}" in result.output
    for row in layers(spec):
        assert re.search(rf"^\s+{row.name}\s", result.output, re.MULTILINE), row.name
    printed = int(
        re.search(r"^parameters: ([\d,]+)$", result.output, re.MULTILINE)[1].replace(",", "")
    )
    model = build_generated(spec, tmp_path / "built", spec.framework)
    if spec.framework == "pytorch":
        built = sum(p.numel() for p in model.parameters())
    else:
        built = model.count_params()
    assert printed == built
