"""Fused kernels: generated models use the layers GPUs run fastest.

Keras runs a GRU or LSTM layer on its fused cuDNN kernel only when the layer
keeps tanh, a sigmoid recurrent activation, recurrent_dropout=0, unroll=False,
use_bias=True and, for GRU, reset_after=True; any other value silently falls
back to a step-by-step loop. SimpleRNN has no cuDNN kernel, but keeps the same
arguments so it stays the plain tanh RNN that torch's nn.RNN computes.

PyTorch's nn.GRU/LSTM/RNN run all layers and directions in one fused call;
generated models use them, never a Python loop over nn.*Cell steps. The one
exception would be a decoder that feeds back its own predictions step by step;
the matrix here uses the default ``repeat`` decoder, which needs no loop.

These checks read the built models, which is what would run on a GPU.
"""

from __future__ import annotations

import ast
import importlib
import itertools

import pytest

from conftest import CELLS, DIRECTIONS, INPUTS, spec_for
from rnngen.modes import MODES
from rnngen.render import render
from weight_transfer import build_generated

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")

FUSED_KERAS = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM, "rnn": keras.layers.SimpleRNN}
FUSED_TORCH = {"gru": torch.nn.GRU, "lstm": torch.nn.LSTM, "rnn": torch.nn.RNN}


def fused_matrix():
    """mode x cell x input x direction, two layers, ids like ``many2one-gru-tokens-bi``."""
    return [
        pytest.param(combo, id="-".join(combo))
        for combo in itertools.product(MODES, CELLS, INPUTS, DIRECTIONS)
    ]


def recurrent_layers(model):
    """Every recurrent layer of a Keras model, unwrapping Bidirectional."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Bidirectional):
            found += [layer.forward_layer, layer.backward_layer]
        elif isinstance(layer, keras.layers.RNN):
            found.append(layer)
    return found


def cudnn_problems(layer, cell):
    """What keeps ``layer`` off Keras's cuDNN kernel for ``cell`` (empty when nothing does)."""
    problems = []
    if type(layer) is not FUSED_KERAS[cell]:
        problems.append(f"is {type(layer).__name__}, not {FUSED_KERAS[cell].__name__}")
        return problems
    if layer.cell.activation is not keras.activations.tanh:
        problems.append(f"activation {layer.cell.activation.__name__}")
    if cell != "rnn" and layer.cell.recurrent_activation is not keras.activations.sigmoid:
        problems.append(f"recurrent_activation {layer.cell.recurrent_activation.__name__}")
    if layer.cell.recurrent_dropout != 0:
        problems.append(f"recurrent_dropout={layer.cell.recurrent_dropout}")
    if layer.unroll:
        problems.append("unroll=True")
    if not layer.cell.use_bias:
        problems.append("use_bias=False")
    if cell == "gru" and not layer.cell.reset_after:
        problems.append("reset_after=False")
    if cell != "rnn" and layer.use_cudnn is False:
        problems.append("use_cudnn=False")
    return problems


def tensorflow_cudnn_rule():
    """The tensorflow backend's private argument check, as ``rule(layer)``; None without it."""
    try:
        rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")
    except ImportError:
        return None

    def rule(layer):
        arguments = {
            "activation": layer.cell.activation,
            "recurrent_activation": layer.cell.recurrent_activation,
            "unroll": layer.unroll,
            "use_bias": layer.cell.use_bias,
        }
        if isinstance(layer, keras.layers.GRU):
            return rnn._do_gru_arguments_support_cudnn(
                reset_after=layer.cell.reset_after, **arguments
            )
        return rnn._do_lstm_arguments_support_cudnn(**arguments)

    return rule


def python_loops(source):
    """Every for/while loop and comprehension in ``source``, as "line N: code"."""
    return [
        f"line {node.lineno}: {ast.unparse(node).splitlines()[0]}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.For, ast.While, ast.AsyncFor))
    ] + [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp))
    ]


@pytest.mark.slow
@pytest.mark.parametrize("combo", fused_matrix())
def test_every_keras_recurrent_layer_can_use_cudnn(combo, tmp_path):
    mode, cell, input_kind, direction = combo
    spec = spec_for("keras", mode, cell, input_kind, direction, num_layers=2, dropout=0.25)
    found = recurrent_layers(build_generated(spec, tmp_path, "keras"))
    stacks = [spec.bidirectional] + ([False] if mode == "seq2seq" else [])
    assert len(found) == sum(spec.num_layers * (2 if bi else 1) for bi in stacks)
    problems = {layer.path: cudnn_problems(layer, cell) for layer in found}
    assert problems == {layer.path: [] for layer in found}
    rule = tensorflow_cudnn_rule()
    if rule is not None and cell != "rnn":
        # The tensorflow backend's own test, less the "is there a GPU" part.
        assert all(rule(layer) for layer in found)


@pytest.mark.parametrize(
    "arguments",
    [
        {"activation": "relu"},
        {"recurrent_activation": "hard_sigmoid"},
        {"recurrent_dropout": 0.1},
        {"unroll": True},
        {"use_bias": False},
        {"reset_after": False},
        {"use_cudnn": False},
    ],
    ids=lambda arguments: next(iter(arguments)),
)
def test_the_keras_check_catches_each_argument(arguments):
    layer = keras.layers.GRU(4, **arguments)
    assert cudnn_problems(layer, "gru") != []
    assert cudnn_problems(keras.layers.GRU(4), "gru") == []


@pytest.mark.slow
@pytest.mark.parametrize("combo", fused_matrix())
def test_pytorch_uses_fused_modules_and_no_loop(combo, tmp_path):
    mode, cell, input_kind, direction = combo
    spec = spec_for("pytorch", mode, cell, input_kind, direction, num_layers=2, dropout=0.25)
    model = build_generated(spec, tmp_path, "pytorch")
    recurrent = [
        module
        for module in model.modules()
        if isinstance(module, (torch.nn.RNNBase, torch.nn.RNNCellBase))
    ]
    assert [type(module) for module in recurrent] == [FUSED_TORCH[cell]] * (
        2 if mode == "seq2seq" else 1
    )
    # One module holds every layer (and direction) of its stack.
    assert all(module.num_layers == spec.num_layers for module in recurrent)
    assert recurrent[0].bidirectional == spec.bidirectional
    source = (tmp_path / "model.py").read_text()
    assert python_loops(source) == []
    assert "Cell(" not in source


def test_the_pytorch_loop_check_sees_a_loop_over_cells():
    spec = spec_for("pytorch", "many2many", "gru", "features", "uni")
    source = render(spec)["model.py"]
    assert python_loops(source) == []
    unrolled = (
        "\n\ndef unrolled(cell, steps, state):\n"
        "    for step in steps:\n"
        "        state = cell(step, state)\n"
        "    return [state]\n"
        "\n\ndef stacked(cells, x):\n"
        "    return [cell(x) for cell in cells]\n"
    )
    found = python_loops(source + unrolled)
    assert [loop.split(": ", 1)[1] for loop in found] == [
        "for step in steps:",
        "[cell(x) for cell in cells]",
    ]
