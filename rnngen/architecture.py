"""The layers a spec builds, with output shapes and parameter counts.

Computed from the spec alone, without importing a framework, for the generated
README's layer table and the summary ``rnngen new`` prints. Tests check these
counts against the models each framework actually builds.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnngen.spec import Spec

GATES = {"gru": 3, "lstm": 4, "rnn": 1}
CELL_NAMES = {
    "pytorch": {"gru": "nn.GRU", "lstm": "nn.LSTM", "rnn": "nn.RNN"},
    "keras": {"gru": "GRU", "lstm": "LSTM", "rnn": "SimpleRNN"},
}


@dataclass(frozen=True)
class Layer:
    """One row of the layer table."""

    name: str
    kind: str
    output_shape: str
    pytorch_params: int
    keras_params: int


def layers(spec: Spec) -> list[Layer]:
    """The model's layers in order, as both frameworks build them."""
    rows: list[Layer] = []
    steps = _steps_in(spec)
    width = spec.embed_dim if spec.input == "tokens" else spec.input_size
    if spec.input == "tokens":
        params = spec.vocab_size * spec.embed_dim
        shape = _shape(*steps, spec.embed_dim)
        rows.append(Layer("embedding", "Embedding", shape, params, params))
    if spec.mode == "one2many":
        steps = (spec.out_len,)
        rows.append(Layer("repeat", "repeat over time", _shape(*steps, width), 0, 0))
    directions = 2 if spec.bidirectional else 1
    final_only = spec.mode in ("one2one", "many2one", "seq2seq")
    rows += _stack(spec, "encoder" if spec.mode == "seq2seq" else "rnn", width,
                   directions, steps, final_only)
    width = spec.hidden_size * directions
    if spec.mode == "seq2seq":
        steps = (spec.out_len,)
        rows.append(Layer("repeat", "repeat over time", _shape(*steps, width), 0, 0))
        rows += _stack(spec, "decoder", width, 1, steps, final_only=False)
        width = spec.hidden_size
    head_steps = () if final_only and spec.mode != "seq2seq" else steps
    params = (width + 1) * spec.output_size
    rows.append(Layer("head", "Dense / Linear", _shape(*head_steps, spec.output_size),
                      params, params))
    return rows


def param_count(spec: Spec, framework: str | None = None) -> int:
    """Trainable parameters of the model in ``framework`` (default: the spec's)."""
    key = f"{framework or spec.framework}_params"
    return sum(getattr(layer, key) for layer in layers(spec))


def _stack(spec: Spec, prefix: str, width: int, directions: int,
           steps: tuple[int, ...], final_only: bool) -> list[Layer]:
    rows = []
    cell = CELL_NAMES["keras"][spec.cell]
    kind = f"bidirectional {cell}" if directions == 2 else cell
    for index in range(1, spec.num_layers + 1):
        last = index == spec.num_layers
        out_steps = () if last and final_only else steps
        shape = _shape(*out_steps, spec.hidden_size * directions)
        pytorch, keras = _rnn_params(spec, width)
        rows.append(Layer(f"{prefix}_{index}", kind, shape,
                          pytorch * directions, keras * directions))
        if not last and spec.dropout > 0:
            rows.append(Layer(f"{prefix}_dropout_{index}", f"Dropout({spec.dropout})",
                              shape, 0, 0))
        width = spec.hidden_size * directions
    return rows


def _rnn_params(spec: Spec, width: int) -> tuple[int, int]:
    """(PyTorch, Keras) parameters of one direction of one recurrent layer.

    PyTorch keeps two bias vectors per gate (input and recurrent). Keras does
    too for GRU with ``reset_after=True``, but only one for LSTM and SimpleRNN.
    """
    gates = GATES[spec.cell] * spec.hidden_size
    weights = gates * (width + spec.hidden_size)
    keras_biases = 2 * gates if spec.cell == "gru" else gates
    return weights + 2 * gates, weights + keras_biases


def _steps_in(spec: Spec) -> tuple[int, ...]:
    if spec.mode == "one2many":
        return ()
    return (spec.seq_len,)


def _shape(*sizes: int) -> str:
    return "(" + ", ".join(["batch", *map(str, sizes)]) + ")"
