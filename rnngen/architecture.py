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
    if spec.mode == "seq2seq" and spec.decoder == "teacher-forcing":
        steps = (spec.out_len,)
        rows += _decoder_input(spec, steps)
        # The decoder starts from the encoder's state, both directions joined,
        # so it is directions * hidden_size wide.
        rows += _stack(spec, "decoder", decoder_input_width(spec), 1, steps,
                       final_only=False, units=width)
    elif spec.mode == "seq2seq":
        steps = (spec.out_len,)
        rows.append(Layer("repeat", "repeat over time", _shape(*steps, width), 0, 0))
        rows += _stack(spec, "decoder", width, 1, steps, final_only=False)
        width = spec.hidden_size
    head_steps = () if final_only and spec.mode != "seq2seq" else steps
    params = (width + 1) * spec.output_size
    head_kind = "Linear" if spec.framework == "pytorch" else "Dense"
    rows.append(Layer("head", head_kind, _shape(*head_steps, spec.output_size),
                      params, params))
    return rows


def param_count(spec: Spec, framework: str | None = None) -> int:
    """Trainable parameters of the model in ``framework`` (default: the spec's)."""
    key = f"{framework or spec.framework}_params"
    return sum(getattr(layer, key) for layer in layers(spec))


def target_embed_dim(spec: Spec) -> int:
    """Width of the teacher-forcing decoder's embedding of the previous class.

    The token embedding's width for token input, else ``hidden_size``.
    """
    return spec.embed_dim if spec.input == "tokens" else spec.hidden_size


def decoder_input_width(spec: Spec) -> int:
    """Features per step the teacher-forcing decoder reads: an embedded class or a target vector."""
    if spec.task == "classification":
        return target_embed_dim(spec)
    return spec.output_size


def _decoder_input(spec: Spec, steps: tuple[int, ...]) -> list[Layer]:
    """The teacher-forcing decoder's input: the shifted targets (START first).

    Classification embeds the previous class id; the START id is output_size,
    one row past the classes.
    """
    if spec.task == "classification":
        params = (spec.output_size + 1) * target_embed_dim(spec)
        shape = _shape(*steps, target_embed_dim(spec))
        return [Layer("target_embedding", "Embedding", shape, params, params)]
    shape = _shape(*steps, spec.output_size)
    return [Layer("shifted_targets", "previous target (START = 0)", shape, 0, 0)]


def _stack(spec: Spec, prefix: str, width: int, directions: int,
           steps: tuple[int, ...], final_only: bool, units: int | None = None) -> list[Layer]:
    rows = []
    units = units or spec.hidden_size
    cell = CELL_NAMES[spec.framework][spec.cell]
    kind = f"bidirectional {cell}" if directions == 2 else cell
    for index in range(1, spec.num_layers + 1):
        last = index == spec.num_layers
        out_steps = () if last and final_only else steps
        shape = _shape(*out_steps, units * directions)
        pytorch, keras = _rnn_params(spec, width, units)
        rows.append(Layer(f"{prefix}_{index}", kind, shape,
                          pytorch * directions, keras * directions))
        if not last and spec.dropout > 0:
            rows.append(Layer(f"{prefix}_dropout_{index}", f"Dropout({spec.dropout})",
                              shape, 0, 0))
        width = units * directions
    return rows


def _rnn_params(spec: Spec, width: int, units: int) -> tuple[int, int]:
    """(PyTorch, Keras) parameters of one direction of one recurrent layer.

    PyTorch keeps two bias vectors per gate (input and recurrent). Keras does
    too for GRU with ``reset_after=True``, but only one for LSTM and SimpleRNN.
    """
    gates = GATES[spec.cell] * units
    weights = gates * (width + units)
    keras_biases = 2 * gates if spec.cell == "gru" else gates
    return weights + 2 * gates, weights + keras_biases


def _steps_in(spec: Spec) -> tuple[int, ...]:
    if spec.mode == "one2many":
        return ()
    return (spec.seq_len,)


def _shape(*sizes: int) -> str:
    return "(" + ", ".join(["batch", *map(str, sizes)]) + ")"
