"""Copy a generated PyTorch model's weights into the Keras model of the same spec.

After ``transfer(torch_model, keras_model, spec)`` both models compute the same
function, so the parity tests can compare their outputs on one input. The
conventions, each checked by a negative control in ``test_parity.py``:

- Kernels are transposed: torch keeps ``weight_ih`` as (gates * hidden, input),
  Keras keeps ``kernel`` as (input, gates * hidden); likewise the recurrent ones.
- torch GRU gate rows are r, z, n; Keras GRU columns are z, r, h.
  torch LSTM rows and Keras LSTM columns are both i, f, g (c), o.
- Keras GRU with ``reset_after=True`` keeps a (2, 3 * hidden) bias: the input
  bias, then the recurrent one, as torch does in two vectors.
- Keras LSTM and SimpleRNN keep one bias; the sum ``b_ih + b_hh`` is the same
  function (the two only ever appear added together).
- A Keras ``Bidirectional`` wrapper holds a forward and a backward layer; torch
  keeps the backward direction in parameters suffixed ``_reverse``.
- Layer ``k`` (from 1) of a Keras stack ``prefix_k`` is torch's ``..._l{k-1}``.

Every torch parameter must be read and every Keras weight written exactly once;
``transfer`` raises otherwise, so a model that grows a new layer cannot pass
the parity tests with a stale mapping.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnngen.formatting import format_python
from rnngen.render import render


@dataclass(frozen=True)
class Convention:
    """How torch's recurrent weights map onto Keras's. ``CONVENTION`` is the right one.

    The fields exist so the negative controls can swap one convention for a
    wrong one and watch parity fail.

    Attributes:
        gru_gates: torch's GRU gate blocks (r=0, z=1, n=2), in Keras's order.
        lstm_gates: torch's LSTM gate blocks (i=0, f=1, g=2, o=3), in Keras's order.
        single_bias: how LSTM and SimpleRNN's one Keras bias is made from
            torch's two: ``"sum"`` (right), ``"input"`` or ``"recurrent"``.
        backward_first: copy torch's reverse direction into the forward layer
            and the other way round.
    """

    gru_gates: tuple[int, ...] = (1, 0, 2)
    lstm_gates: tuple[int, ...] = (0, 1, 2, 3)
    single_bias: str = "sum"
    backward_first: bool = False


CONVENTION = Convention()


def build_generated(spec, folder: Path, framework: str):
    """Build the model that ``framework``'s project for ``spec`` defines, from its model.py.

    Only model.py is written (it imports nothing else from its folder), and it
    is exactly what ``generate`` writes: the rendered template formatted by
    black. Rendering the other files too would only cost time.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.py"
    path.write_text(
        format_python("model.py", render(spec.replace(framework=framework))["model.py"])
    )
    # A unique module name per folder: several generated model.py live in one process.
    module = load_module(path, "generated_" + "_".join(folder.parts[-3:]))
    return module.build_model(module.CONFIG)


def load_module(path: Path, name: str):
    """Import the file ``path`` as a module called ``name``, without touching sys.path."""
    name = "".join(char if char.isalnum() else "_" for char in name)
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def transfer(torch_model, keras_model, spec, convention: Convention = CONVENTION) -> None:
    """Copy every weight of ``torch_model`` into ``keras_model`` (both built from ``spec``).

    Args:
        torch_model: the ``nn.Module`` from the PyTorch project's ``build_model``.
        keras_model: the ``keras.Model`` from the Keras project's ``build_model``.
        spec: the spec both were generated from (its framework is ignored).
        convention: the mapping to use; only negative controls pass another.

    Raises:
        ValueError: if a shape does not match, or a torch parameter was not read,
            or a Keras weight was not written.
    """
    params = {
        name: value.detach().cpu().numpy().astype(np.float32)
        for name, value in torch_model.named_parameters()
    }
    copier = _Copier(params, convention)
    if spec.input == "tokens":
        copier.assign(keras_model.get_layer("embedding").embeddings, "embedding.weight")
    if spec.mode == "seq2seq":
        stacks = [("encoder", "encoder", spec.bidirectional), ("decoder", "decoder", False)]
    else:
        stacks = [("rnn", "rnn", spec.bidirectional)]
    for torch_name, keras_prefix, bidirectional in stacks:
        for index in range(1, spec.num_layers + 1):
            layer_name = f"{keras_prefix}_{index}"
            if bidirectional:
                wrapper = keras_model.get_layer(f"bidirectional_{layer_name}")
                directions = [(wrapper.forward_layer, ""), (wrapper.backward_layer, "_reverse")]
                if convention.backward_first:
                    directions = [(wrapper.forward_layer, "_reverse"), (wrapper.backward_layer, "")]
            else:
                directions = [(keras_model.get_layer(layer_name), "")]
            for keras_layer, suffix in directions:
                copier.recurrent(keras_layer, spec.cell, f"{torch_name}.", f"_l{index - 1}{suffix}")
    head = keras_model.get_layer("head")
    copier.assign(head.kernel, "head.weight", transpose=True)
    copier.assign(head.bias, "head.bias")
    copier.check_complete(keras_model)


class _Copier:
    """Assigns Keras variables from torch arrays and remembers what it touched."""

    def __init__(self, params: dict[str, np.ndarray], convention: Convention):
        self.params = params
        self.convention = convention
        self.read: set[str] = set()
        self.written: list = []

    def take(self, name: str) -> np.ndarray:
        if name in self.read:
            raise ValueError(f"torch parameter {name} read twice")
        if name not in self.params:
            raise ValueError(f"torch model has no parameter {name}; it has {sorted(self.params)}")
        self.read.add(name)
        return self.params[name]

    def write(self, variable, value: np.ndarray) -> None:
        if tuple(variable.shape) != value.shape:
            raise ValueError(
                f"Keras weight {variable.path} is {tuple(variable.shape)}, "
                f"the torch value is {value.shape}"
            )
        if any(variable is seen for seen in self.written):
            raise ValueError(f"Keras weight {variable.path} written twice")
        variable.assign(value)
        self.written.append(variable)

    def assign(self, variable, torch_name: str, transpose: bool = False) -> None:
        value = self.take(torch_name)
        self.write(variable, value.T if transpose else value)

    def recurrent(self, keras_layer, cell: str, prefix: str, suffix: str) -> None:
        """One direction of one recurrent layer: torch ``{prefix}weight_ih{suffix}`` etc."""
        weight_ih = self.take(f"{prefix}weight_ih{suffix}")
        weight_hh = self.take(f"{prefix}weight_hh{suffix}")
        bias_ih = self.take(f"{prefix}bias_ih{suffix}")
        bias_hh = self.take(f"{prefix}bias_hh{suffix}")
        order = {"gru": self.convention.gru_gates, "lstm": self.convention.lstm_gates}.get(cell)
        if order is not None:
            weight_ih, weight_hh, bias_ih, bias_hh = (
                _reorder(array, order) for array in (weight_ih, weight_hh, bias_ih, bias_hh)
            )
        keras_cell = keras_layer.cell
        self.write(keras_cell.kernel, weight_ih.T)
        self.write(keras_cell.recurrent_kernel, weight_hh.T)
        if cell == "gru":
            if not keras_cell.reset_after:
                raise ValueError(f"{keras_layer.name}: reset_after=False has no torch equivalent")
            bias = np.stack([bias_ih, bias_hh])  # (2, 3 * hidden): input, recurrent
        else:
            bias = {
                "sum": bias_ih + bias_hh,
                "input": bias_ih,
                "recurrent": bias_hh,
            }[self.convention.single_bias]
        self.write(keras_cell.bias, bias)

    def check_complete(self, keras_model) -> None:
        unread = sorted(set(self.params) - self.read)
        if unread:
            raise ValueError(f"torch parameters not copied: {unread}")
        unwritten = [
            variable.path
            for variable in keras_model.weights
            if not any(variable is seen for seen in self.written)
        ]
        if unwritten:
            raise ValueError(f"Keras weights not written: {unwritten}")


def _reorder(array: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    """Reorder the gate blocks along axis 0 (torch stacks gates there)."""
    blocks = np.split(array, len(order), axis=0)
    return np.concatenate([blocks[index] for index in order], axis=0)
