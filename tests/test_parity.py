"""One spec, one function: the generated PyTorch and Keras models agree.

For every mode x cell x input x direction x 1 or 2 layers, the PyTorch model
is built with random weights, its weights are copied into the Keras model of
the same spec (``weight_transfer.transfer``), and both run the same batch in
inference mode. Outputs must agree to ``ATOL``; token batches are right-padded
to different lengths and compared on their valid steps.

Keras reads ``KERAS_BACKEND`` once, at import, so each backend runs this file
in its own process; CI runs it once per backend:

    KERAS_BACKEND=tensorflow pytest tests/test_parity.py
    KERAS_BACKEND=torch pytest tests/test_parity.py
    KERAS_BACKEND=jax pytest tests/test_parity.py
"""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest

from conftest import CELLS, DIRECTIONS, INPUTS, spec_for
from rnngen.context import MASKED_MODES
from rnngen.formatting import format_python
from rnngen.modes import MODES
from rnngen.render import render
from weight_transfer import CONVENTION, Convention, build_generated, load_module, transfer

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")

# Keras's torch backend calls np.array on tensors in a way numpy 2 deprecates;
# that is Keras's business, not this test's.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

BACKEND = keras.backend.backend()
ATOL = 1e-5
BATCH = 5


def parity_matrix():
    """mode x cell x input x direction x 1 or 2 layers.

    Ids name the backend too (``tensorflow-many2one-gru-tokens-bi-2layers``), so
    the runs of each backend read apart in CI logs.
    """
    return [
        pytest.param(combo, id="-".join([BACKEND, *combo[:-1], f"{combo[-1]}layers"]))
        for combo in itertools.product(MODES, CELLS, INPUTS, DIRECTIONS, (1, 2))
    ]


def make_batch(spec, seed=0):
    """(inputs, valid) for ``spec``: valid is a (batch, time) mask of the steps to compare.

    Token sequences of masked modes are right-padded with 0 to lengths that
    include 1 and the full ``seq_len``; other inputs have no padding.
    """
    rng = np.random.default_rng(seed)
    steps = {"one2one": 1, "one2many": None}.get(spec.mode, spec.seq_len)
    if spec.input == "features":
        shape = (BATCH, spec.input_size) if steps is None else (BATCH, steps, spec.input_size)
        return rng.standard_normal(shape).astype(np.float32), None
    if steps is None:
        return rng.integers(1, spec.vocab_size, size=BATCH), None
    tokens = rng.integers(1, spec.vocab_size, size=(BATCH, steps))
    if spec.mode not in MASKED_MODES:
        return tokens, None
    lengths = np.concatenate([[steps, 1], rng.integers(1, steps + 1, size=BATCH - 2)])
    valid = np.arange(steps) < lengths[:, np.newaxis]
    return np.where(valid, tokens, 0), valid


def parity_error(spec, folder, convention=CONVENTION, seed=0):
    """The largest absolute difference between the two models' outputs on valid steps."""
    torch.manual_seed(seed)
    torch_model = build_generated(spec, folder / "pytorch", "pytorch")
    keras_model = build_generated(spec, folder / "keras", "keras")
    torch_model.eval()
    transfer(torch_model, keras_model, spec, convention)
    inputs, valid = make_batch(spec, seed)
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(inputs)).numpy()
    actual = keras.ops.convert_to_numpy(keras_model(inputs, training=False))
    if expected.shape != actual.shape:
        raise AssertionError(f"shapes differ: torch {expected.shape}, Keras {actual.shape}")
    difference = np.abs(expected - actual)
    if spec.mode == "many2many" and valid is not None:
        difference = difference[valid]  # padded steps are not part of the contract
    return float(difference.max())


def assert_parity(spec, folder, convention=CONVENTION):
    """Fail, naming the spec and the error, unless the two models agree to ``ATOL``."""
    error = parity_error(spec, folder, convention)
    assert error <= ATOL, (
        f"PyTorch and Keras ({BACKEND}) outputs differ by {error:.3g} > {ATOL} "
        f"for {spec.command()}"
    )
    return error


@pytest.mark.slow
@pytest.mark.parametrize("combo", parity_matrix())
def test_pytorch_and_keras_compute_the_same_function(combo, tmp_path):
    mode, cell, input_kind, direction, num_layers = combo
    # Dropout between layers is an identity at inference in both frameworks.
    extra = {"num_layers": 2, "dropout": 0.25} if num_layers == 2 else {}
    spec = spec_for("pytorch", mode, cell, input_kind, direction, **extra)
    assert_parity(spec, tmp_path)


# Each wrong convention, on a spec where it matters. If one of these passed,
# the parity test could not tell that convention from the right one.
WRONG_CONVENTIONS = [
    pytest.param(("gru", "uni"), Convention(gru_gates=(0, 1, 2)), id="gru-gates-in-torch-order"),
    pytest.param(("lstm", "uni"), Convention(lstm_gates=(0, 1, 3, 2)), id="lstm-gates-ifoc"),
    pytest.param(("lstm", "uni"), Convention(single_bias="input"), id="lstm-input-bias-only"),
    pytest.param(("rnn", "uni"), Convention(single_bias="recurrent"), id="rnn-recurrent-bias-only"),
    pytest.param(("gru", "bi"), Convention(backward_first=True), id="gru-directions-swapped"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("cell_direction", "wrong"), WRONG_CONVENTIONS)
def test_a_wrong_mapping_fails_the_parity_check(cell_direction, wrong, tmp_path):
    cell, direction = cell_direction
    # many2many on padded tokens: the comparison that skips padded steps must still see it.
    spec = spec_for("pytorch", "many2many", cell, "tokens", direction)
    assert_parity(spec, tmp_path / "right")
    with pytest.raises(AssertionError, match="outputs differ"):
        assert_parity(spec, tmp_path / "wrong", wrong)


def test_transfer_refuses_to_leave_a_weight_behind(tmp_path):
    spec = spec_for("pytorch", "many2one", "lstm", "features", "bi")
    torch_model = build_generated(spec, tmp_path / "pytorch", "pytorch")
    keras_model = build_generated(spec, tmp_path / "keras", "keras")
    torch_model.extra = torch.nn.Linear(2, 2)  # a layer the mapping does not know
    with pytest.raises(ValueError, match=r"torch parameters not copied: \['extra.bias'"):
        transfer(torch_model, keras_model, spec)


# Token rows on which packing (PyTorch) and masking (Keras) read different steps.
# They break the "0 is right padding" contract, and data.check_x rejects them, so
# no generated train.py or predict.py feeds them to a model.
OFF_CONTRACT_ROWS = [
    pytest.param([3, 0, 5, 0, 0, 0, 0], id="token-after-padding"),
    pytest.param([0, 0, 0, 0, 0, 0, 0], id="all-padding"),
]


@pytest.mark.parametrize("row", OFF_CONTRACT_ROWS)
@pytest.mark.parametrize("mode", MASKED_MODES)
def test_rows_where_packing_and_masking_differ_are_rejected(mode, row, tmp_path):
    spec = spec_for("pytorch", mode, "gru", "tokens")
    (tmp_path / "data.py").write_text(format_python("data.py", render(spec)["data.py"]))
    data = load_module(tmp_path / "data.py", f"parity_data_{mode}_{tmp_path.name}")
    config = {"vocab_size": spec.vocab_size}
    good, _ = make_batch(spec)
    data.check_x(good, config)  # right padding, lengths 1..seq_len: accepted
    bad = np.concatenate([good, [row]])
    with pytest.raises(data.DataError, match=f"x row {len(good)} is not right-padded"):
        data.check_x(bad, config)


def test_the_backend_under_test_is_the_one_asked_for():
    # CI sets KERAS_BACKEND per run; a silent fallback would test one backend twice.
    asked = os.environ.get("KERAS_BACKEND", "tensorflow")
    assert BACKEND == asked
