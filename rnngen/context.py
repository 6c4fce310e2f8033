"""The names and facts templates need, derived from a spec in one place.

Templates only ever see what ``template_context`` returns, so every value that
reaches generated code is a validated number, a fixed string from this module,
or a ``repr``.
"""

from __future__ import annotations

from typing import Any

from rnngen import __version__
from rnngen.architecture import CELL_NAMES, layers, param_count, target_embed_dim
from rnngen.spec import Spec

MODE_TITLES = {
    "one2one": "One-to-one",
    "one2many": "One-to-many",
    "many2one": "Many-to-one",
    "many2many": "Many-to-many",
    "seq2seq": "Sequence-to-sequence",
}
MODE_DOCS = {
    "one2one": "One step goes through the recurrent network; the head reads its final state.",
    "one2many": (
        "The single input is encoded, repeated at every output step and decoded by the "
        "recurrent network; a per-step head reads every output."
    ),
    "many2one": (
        "The recurrent network reads the whole sequence; the head reads the last layer's "
        "final state (both directions' final states when bidirectional), never output[:, -1]."
    ),
    "many2many": "The recurrent network reads the sequence; a per-step head reads every output.",
    "seq2seq": (
        "An encoder reads the sequence; its final state is repeated at every output step and "
        "fed through a decoder and a per-step head."
    ),
}
TEACHER_FORCING_DOC = (
    "An encoder reads the sequence; its final state (both directions joined, layer by layer) "
    "is the decoder's initial state. The decoder is trained with teacher forcing on the "
    "shifted targets and decodes greedily at inference."
)
# How the teacher-forcing decoder reads and ends its output, by task.
DECODING_DOCS = {
    "classification": (
        "Teacher forcing: in training the decoder reads START, then the true previous "
        "class (y[:, :-1]). At inference it decodes greedily: from START it feeds back its "
        "own argmax for at most out_len steps, and stops once every sequence in the batch "
        "has produced END. Class 0 doubles as END: label the steps after a sequence's "
        "last real output 0, and use 0 for nothing else, since a sequence ends at its first "
        "predicted 0; the steps after it repeat that step's logits and read as END too. "
        "START is the extra id output_size, known only to the decoder's target embedding "
        "(output_size + 1 rows)."
    ),
    "regression": (
        "Teacher forcing: in training the decoder reads START (a vector of zeros), then the "
        "true previous target vector (y[:, :-1]). At inference it decodes greedily: from "
        "START it feeds back its own prediction for exactly out_len steps (no END token)."
    ),
}
SYNTHETIC_DOCS = {
    ("one2one", "tokens", "classification"): "the class of a token is its id modulo the number of classes.",
    ("one2one", "tokens", "regression"): "each token id maps to a fixed random target vector.",
    ("one2one", "features", "classification"): "the class is the argmax of a fixed random projection of the features.",
    ("one2one", "features", "regression"): "the targets are a fixed random projection of the features.",
    ("one2many", "tokens", "classification"): "step t of the output is (token + t) modulo the number of classes.",
    ("one2many", "tokens", "regression"): "each token unrolls into cosine waves whose frequency and phase depend on it.",
    ("one2many", "features", "classification"): "the output counts up, modulo the classes, from the class a fixed projection gives the input.",
    ("one2many", "features", "regression"): "a fixed projection of the input, scaled by a cosine envelope over the output steps.",
    ("many2one", "tokens", "classification"): "the class is the number of odd tokens in the sequence, capped at the last class.",
    ("many2one", "tokens", "regression"): "target k is the share of tokens t with t % output_size == k.",
    ("many2one", "features", "classification"): "the class is the argmax of a fixed projection of the time-averaged features.",
    ("many2one", "features", "regression"): "the targets are a fixed projection of the time-averaged features.",
    ("many2many", "tokens", "classification"): "each step's tag is the number of odd tokens up to it, capped at the last class.",
    ("many2many", "tokens", "regression"): "at each step, target k is the share so far of tokens t with t % output_size == k.",
    ("many2many", "features", "classification"): "each step's class is the argmax of a fixed projection of that step plus the previous one.",
    ("many2many", "features", "regression"): "each step's targets are a fixed projection of that step plus the previous one.",
    ("seq2seq", "tokens", "classification"): "step t of the output is (number of odd tokens + t) modulo the classes.",
    ("seq2seq", "tokens", "regression"): "the output is the share of each token residue modulo output_size, under a cosine envelope.",
    ("seq2seq", "features", "classification"): "the output counts up, modulo the classes, from the class of the time-averaged input.",
    ("seq2seq", "features", "regression"): "the output is a fixed projection of the time-averaged input, under a cosine envelope.",
    # The teacher-forcing decoder sees the targets, so its task is reversal.
    ("seq2seq", "tokens", "classification", "teacher-forcing"): "the output is the input sequence reversed (ids mapped to classes 1 and up), then 0 (END).",
    ("seq2seq", "tokens", "regression", "teacher-forcing"): "the output is the reversed input looked up in a fixed random table, then 0.",
    ("seq2seq", "features", "classification", "teacher-forcing"): "the output is each input step's class (1 and up; 0 is END), in reverse order.",
    ("seq2seq", "features", "regression", "teacher-forcing"): "the output is a fixed projection of each input step, in reverse order.",
}
TRAINING = [
    ("epochs", 20, "passes over the training data"),
    ("batch_size", 64, "examples per optimizer step"),
    ("learning_rate", 0.003, "Adam step size"),
    ("clip_norm", 1.0, "clip the global gradient norm to this; 0 turns clipping off"),
    ("patience", 5, "early stopping: epochs without a better validation loss"),
    ("validation_fraction", 0.2, "share of the data held out for validation"),
    ("synthetic_examples", 4000, "size of the built-in synthetic data set"),
]
MASKED_MODES = ("many2one", "many2many", "seq2seq")


def template_context(spec: Spec) -> dict[str, Any]:
    """Everything the templates for ``spec`` may refer to."""
    tokens = spec.input == "tokens"
    classification = spec.task == "classification"
    masked = tokens and spec.mode in MASKED_MODES
    per_step = spec.mode in ("one2many", "many2many", "seq2seq")
    teacher_forcing = spec.decoder == "teacher-forcing"
    x_shape, x_names, x_doc = _inputs(spec)
    y_shape, y_names, y_text = _targets(spec)
    out_doc = _outputs(spec)
    framework_name = {"pytorch": "PyTorch", "keras": "Keras 3"}[spec.framework]
    return {
        "spec": spec,
        "version": __version__,
        "command": spec.command(),
        "title": _title(spec),
        "framework_name": framework_name,
        "mode_doc": TEACHER_FORCING_DOC if teacher_forcing else MODE_DOCS[spec.mode],
        "teacher_forcing": teacher_forcing,
        # Which forward (PyTorch) or build (Keras) template holds the model.
        "variant": f"{spec.mode}_teacher_forcing" if teacher_forcing else spec.mode,
        "decoding_doc": DECODING_DOCS[spec.task] if teacher_forcing else None,
        "states_per_layer": 2 if spec.cell == "lstm" else 1,
        "state_doc": "h and c" if spec.cell == "lstm" else "h",
        "targets_doc": _targets_doc(spec),
        "targets_dims": _targets_doc(spec)[_targets_doc(spec).index("(") :],
        "targets_rank": 2 if classification else 3,
        "task_doc": _task_doc(spec),
        "synthetic_doc": SYNTHETIC_DOCS.get(
            (spec.mode, spec.input, spec.task, spec.decoder),
            SYNTHETIC_DOCS[spec.mode, spec.input, spec.task],
        ),
        "config": _config(spec),
        "class_name": _class_name(spec),
        "cell_class": CELL_NAMES["pytorch"][spec.cell].removeprefix("nn."),
        "keras_cell": CELL_NAMES["keras"][spec.cell],
        "classification": classification,
        "masked": masked,
        "masked_loss": masked and spec.mode == "many2many",
        "final_state": spec.mode in ("one2one", "many2one")
        or (spec.mode == "seq2seq" and not teacher_forcing),
        "per_step": per_step,
        "input_name": "tokens" if tokens else "features",
        "input_rank": len(x_names),
        "x_doc": x_doc,
        "x_dims": x_doc[x_doc.index("(") :],
        "out_doc": out_doc,
        "x_shape": x_shape,
        "x_names": repr(x_names),
        "y_shape": y_shape,
        "y_names": repr(y_names),
        "contract": [_x_contract(spec, x_names), y_text],
        "keras_input_shape": _keras_input_shape(spec),
        "embedded_doc": "(batch, embed_dim)" if spec.mode == "one2many" else "(batch, time, embed_dim)",
        "active_tokens": min(spec.vocab_size - 1, 32) if tokens else None,
        "out_shape_expr": _out_shape_expr(spec),
        "prediction_doc": _prediction_doc(spec),
        "layers": layers(spec),
        "params_key": f"{spec.framework}_params",
        "total_params": param_count(spec),
        "install_command": {
            "pytorch": "pip install torch numpy pytest",
            "keras": "pip install keras tensorflow numpy pytest",
        }[spec.framework],
        "extra_flags": {
            "pytorch": ["--device {auto,cpu,cuda,mps}", "--amp"],
            "keras": ["--mixed-precision"],
        }[spec.framework],
        "validation_fraction": dict((key, value) for key, value, _ in TRAINING)[
            "validation_fraction"
        ],
        "padding_doc": {
            "pytorch": "The model packs each batch (`pack_padded_sequence`, `enforce_sorted=False`), so padding never reaches the recurrent layers.",
            "keras": "The embedding masks token 0 (`mask_zero=True`), so the recurrent layers skip padded steps and the mask reaches the loss.",
        }[spec.framework],
    }


def _title(spec: Spec) -> str:
    direction = "bidirectional " if spec.bidirectional else ""
    cell = {"gru": "GRU", "lstm": "LSTM", "rnn": "simple RNN"}[spec.cell]
    kind = "classifier" if spec.task == "classification" else "regressor"
    return f"{MODE_TITLES[spec.mode]} {direction}{cell} {kind}"


def _task_doc(spec: Spec) -> str:
    if spec.task == "classification":
        return (
            f"It predicts one of {spec.output_size} classes as logits; the loss is "
            "cross-entropy from logits."
        )
    return f"It predicts {spec.output_size} real value(s) with a linear head; the loss is mean squared error."


def _class_name(spec: Spec) -> str:
    mode = spec.mode.replace("2", "2_").title().replace("_", "")
    return mode + spec.cell.upper()


def _config(spec: Spec) -> list[tuple[str, Any, str]]:
    entries: list[tuple[str, Any, str]] = []
    if spec.input == "tokens":
        entries += [
            ("vocab_size", spec.vocab_size, "token ids 0..vocab_size-1; 0 is padding"),
            ("embed_dim", spec.embed_dim, "width of the token embedding"),
        ]
    else:
        entries.append(("input_size", spec.input_size, "features per step"))
    entries += [
        ("hidden_size", spec.hidden_size, "units per recurrent layer and direction"),
        ("num_layers", spec.num_layers, "stacked recurrent layers"),
        ("bidirectional", spec.bidirectional, "also read the sequence backwards"),
        ("dropout", spec.dropout, "dropout between stacked recurrent layers"),
        ("output_size", spec.output_size, _output_size_doc(spec)),
    ]
    if spec.mode != "one2many":
        entries.append(("seq_len", spec.seq_len, "input steps (of the synthetic data)"))
    if spec.out_len is not None:
        entries.append(("out_len", spec.out_len, _out_len_doc(spec)))
    if spec.decoder == "teacher-forcing" and spec.task == "classification":
        entries.append(
            ("target_embed_dim", target_embed_dim(spec),
             "width of the decoder's embedding of the previous class")
        )
    return entries + TRAINING


def _out_len_doc(spec: Spec) -> str:
    if spec.decoder == "teacher-forcing" and spec.task == "classification":
        return "output steps; also the most that greedy decoding runs"
    return "output steps"


def _output_size_doc(spec: Spec) -> str:
    if spec.task == "classification" and spec.decoder == "teacher-forcing":
        return "number of classes; class 0 is also END, and id output_size is START"
    if spec.task == "classification":
        return "number of classes"
    return "regression targets per prediction"


def _inputs(spec: Spec) -> tuple[str, tuple[str, ...], str]:
    """(shape expression, dimension names, description) of x."""
    if spec.mode == "one2many":
        time: tuple[str, ...] = ()
    elif spec.mode == "one2one":
        time = ("1",)
    else:
        time = ("T",)
    feature = () if spec.input == "tokens" else ("input_size",)
    names = ("N", *time, *feature)
    sizes = ["examples"] + ["1" if name == "1" else "None" for name in time]
    sizes += ['config["input_size"]'] * len(feature)
    doc_dims = ["batch", *("time" if name == "T" else name for name in time), *feature]
    what = "token ids" if spec.input == "tokens" else "features"
    return _tuple(sizes), names, f"{what} ({', '.join(doc_dims)})"


def _targets(spec: Spec) -> tuple[str, tuple[str, ...], str]:
    """(shape expression, dimension names, contract line) of y."""
    if spec.mode in ("one2one", "many2one"):
        names, sizes = ("N",), ["examples"]
    elif spec.mode == "many2many":
        names, sizes = ("N", "T"), ["examples", "x.shape[1]"]
    else:
        names, sizes = ("N", "out_len"), ["examples", 'config["out_len"]']
    if spec.task == "classification":
        text = f"`y`: int class ids in 0..{spec.output_size - 1}, shape {_dims(names)}"
        return _tuple(sizes), names, text
    names += ("output_size",)
    sizes.append('config["output_size"]')
    text = f"`y`: float targets, shape {_dims(names)} with output_size = {spec.output_size}"
    if spec.output_size == 1:
        text += f"; {_dims(names[:-1])} is accepted too"
    return _tuple(sizes), names, text


def _x_contract(spec: Spec, names: tuple[str, ...]) -> str:
    shape = _dims(names)
    if spec.input == "tokens":
        padding = (
            "0 is right padding, after at least one token"
            if spec.mode in MASKED_MODES
            else "0 is reserved for padding"
        )
        return f"`x`: int token ids in 0..{spec.vocab_size - 1}, shape {shape}; {padding}"
    return f"`x`: float32 features, shape {shape} with input_size = {spec.input_size}"


def _outputs(spec: Spec) -> str:
    what = "logits" if spec.task == "classification" else "values"
    if spec.mode in ("one2one", "many2one"):
        return f"{what} (batch, output_size)"
    if spec.mode == "many2many":
        return f"{what} (batch, time, output_size)"
    return f"{what} (batch, out_len, output_size)"


def _targets_doc(spec: Spec) -> str:
    """The per-step targets of one2many and seq2seq, as the model's tensors hold them."""
    if spec.task == "classification":
        return "class ids (batch, out_len)"
    return "values (batch, out_len, output_size)"


def _keras_input_shape(spec: Spec) -> str:
    feature = [] if spec.input == "tokens" else ['config["input_size"]']
    if spec.mode == "one2many":
        time: list[str] = []
    elif spec.mode == "one2one":
        time = ["1"]
    else:
        time = ["None"]
    return _tuple(time + feature)


def _out_shape_expr(spec: Spec) -> str:
    if spec.mode in ("one2one", "many2one"):
        return _tuple(["len(inputs)", 'CONFIG["output_size"]'])
    if spec.mode == "many2many":
        return _tuple(["len(inputs)", "inputs.shape[1]", 'CONFIG["output_size"]'])
    return _tuple(["len(inputs)", 'CONFIG["out_len"]', 'CONFIG["output_size"]'])


def _prediction_doc(spec: Spec) -> str:
    if spec.task == "classification":
        shape = {"one2one": "(N,)", "many2one": "(N,)", "many2many": "(N, T)"}.get(
            spec.mode, "(N, out_len)"
        )
        return f"class ids, shape {shape}"
    shape = {"one2one": "(N, output_size)", "many2one": "(N, output_size)",
             "many2many": "(N, T, output_size)"}.get(spec.mode, "(N, out_len, output_size)")
    return f"float32 values, shape {shape}"


def _tuple(items: list[str]) -> str:
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def _dims(names: tuple[str, ...]) -> str:
    return _tuple(list(names))
