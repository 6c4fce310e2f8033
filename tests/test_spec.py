"""``build_spec``: defaults, and a clear SpecError for every bad option."""

from __future__ import annotations

import shlex

import pytest

from rnngen.cli import new
from rnngen.errors import SpecError
from rnngen.modes import MODES
from rnngen.spec import INT_LIMITS, Spec, build_spec

BASE = {"framework": "pytorch", "mode": "many2one"}


def build(**options) -> Spec:
    return build_spec({**BASE, **options})


def test_defaults_fill_in_what_was_not_given():
    spec = build()
    assert (spec.cell, spec.input, spec.vocab_size, spec.hidden_size) == (
        "gru",
        "tokens",
        1000,
        128,
    )
    assert (spec.input_size, spec.out_len, spec.decoder) == (None, None, None)


@pytest.mark.parametrize("mode", MODES)
def test_a_recorded_spec_builds_again_for_every_mode(mode):
    spec = build_spec({"framework": "keras", "mode": mode})
    assert build_spec(spec.to_dict()) == spec


def test_one2many_has_no_seq_len_and_out_len_defaults_to_twenty():
    spec = build(mode="one2many")
    assert spec.seq_len is None and spec.out_len == 20
    assert "seq_len" not in spec.to_dict()


def test_seq2seq_out_len_defaults_to_seq_len():
    assert build(mode="seq2seq", seq_len=7).out_len == 7


def test_one2one_reads_one_step():
    assert build(mode="one2one").seq_len == 1
    assert build(mode="one2one", seq_len=1).seq_len == 1


# (options, words the message must contain); each case names the option.
INVALID = {
    "no-framework": ({"framework": None}, ["--framework is required", "pytorch, keras"]),
    "no-mode": ({"mode": None}, ["--mode is required", "one2one"]),
    "unknown-option": ({"colour": "red"}, ["unknown option 'colour'", "--hidden-size"]),
    "bad-mode": ({"mode": "many2few"}, ["--mode must be one of", "seq2seq", "'many2few'"]),
    "bad-cell": ({"cell": "GRU"}, ["--cell must be one of gru, lstm, rnn"]),
    "bad-framework": ({"framework": "jax"}, ["--framework must be one of pytorch, keras"]),
    "bad-task": ({"task": "ranking"}, ["--task must be one of classification, regression"]),
    "bad-input": ({"input": "images"}, ["--input must be one of tokens, features"]),
    "zero-hidden": ({"hidden_size": 0}, ["--hidden-size must be in 1..65536, not 0"]),
    "huge-hidden": ({"hidden_size": 65537}, ["--hidden-size must be in 1..65536"]),
    "zero-layers": ({"num_layers": 0}, ["--num-layers must be in 1..64"]),
    "vocab-1": ({"vocab_size": 1}, ["--vocab-size must be in 2.."]),
    "negative-embed": ({"embed_dim": -3}, ["--embed-dim must be in 1..65536, not -3"]),
    "float-hidden": ({"hidden_size": 12.5}, ["--hidden-size must be a whole number", "12.5"]),
    "string-hidden": ({"hidden_size": "12"}, ["--hidden-size must be a whole number", "'12'"]),
    "bool-layers": ({"num_layers": True}, ["--num-layers must be a whole number", "True"]),
    "dropout-1": ({"num_layers": 2, "dropout": 1.0}, ["--dropout must be in [0, 1), not 1.0"]),
    "dropout-negative": ({"num_layers": 2, "dropout": -0.1}, ["--dropout must be in [0, 1)"]),
    "dropout-nan": ({"num_layers": 2, "dropout": float("nan")}, ["--dropout must be in [0, 1)"]),
    "dropout-string": ({"num_layers": 2, "dropout": "0.1"}, ["--dropout must be a number"]),
    "dropout-one-layer": (
        {"dropout": 0.2},
        ["--dropout applies between stacked layers", "--num-layers 2"],
    ),
    "bidirectional-string": ({"bidirectional": "yes"}, ["--bidirectional must be true or false"]),
    "input-size-with-tokens": (
        {"input_size": 8},
        ["--input-size does not apply", "--input features only"],
    ),
    "vocab-with-features": (
        {"input": "features", "vocab_size": 50},
        ["--vocab-size does not apply"],
    ),
    "embed-with-features": ({"input": "features", "embed_dim": 8}, ["--embed-dim does not apply"]),
    "out-len-many2one": ({"out_len": 5}, ["--out-len does not apply", "one2many and seq2seq"]),
    "out-len-many2many": ({"mode": "many2many", "out_len": 5}, ["--out-len does not apply"]),
    "decoder-many2one": ({"decoder": "repeat"}, ["--decoder does not apply", "seq2seq only"]),
    "seq-len-one2one": (
        {"mode": "one2one", "seq_len": 3},
        ["--seq-len must be 1 for --mode one2one", "not 3"],
    ),
    "seq-len-one2many": (
        {"mode": "one2many", "seq_len": 5},
        ["--seq-len does not apply", "--out-len"],
    ),
    "one-class": ({"output_size": 1}, ["--output-size", "at least 2"]),
    "out-len-zero": ({"mode": "seq2seq", "out_len": 0}, ["--out-len must be in 1.."]),
}


@pytest.mark.parametrize("options, words", INVALID.values(), ids=INVALID.keys())
def test_invalid_options_raise_spec_error_naming_the_option(options, words):
    with pytest.raises(SpecError) as info:
        build_spec({key: value for key, value in {**BASE, **options}.items() if value is not None})
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message


@pytest.mark.parametrize("key", INT_LIMITS)
def test_every_size_has_a_lower_and_an_upper_bound(key):
    low, high = INT_LIMITS[key]
    assert low >= 1 and high < 10**8


def test_regression_allows_a_single_target():
    assert build(task="regression", output_size=1).output_size == 1


def test_replace_keeps_seq_len_when_the_new_mode_uses_it():
    spec = build(seq_len=50)
    assert spec.replace(mode="many2many").seq_len == 50
    assert spec.replace(mode="seq2seq").out_len == 50


def test_replace_drops_options_that_stop_applying():
    spec = build(mode="seq2seq", seq_len=9, out_len=3)
    assert spec.replace(mode="many2one").out_len is None
    assert spec.replace(mode="one2one").seq_len == 1
    features = spec.replace(input="features")
    assert (features.vocab_size, features.embed_dim, features.input_size) == (None, None, 8)


def test_replace_validates_what_it_is_given():
    with pytest.raises(SpecError, match="--out-len does not apply"):
        build().replace(out_len=4)
    with pytest.raises(SpecError, match="--hidden-size must be in"):
        build().replace(hidden_size=0)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"mode": "one2many", "out_len": 7, "cell": "lstm", "input": "features", "input_size": 3},
        {"mode": "seq2seq", "seq_len": 12, "bidirectional": True, "num_layers": 3, "dropout": 0.25},
        {"mode": "one2one", "task": "regression", "output_size": 1, "framework": "keras"},
    ],
    ids=["defaults", "one2many-features", "seq2seq-stacked", "one2one-regression"],
)
def test_the_recorded_command_line_builds_the_same_spec(options):
    spec = build(**options)
    words = shlex.split(spec.command())
    assert words[:2] == ["rnngen", "new"]
    params = new.make_context("new", words[2:]).params
    given = {key: value for key, value in params.items() if value is not None}
    for key in ("out", "answers", "force", "dry_run"):
        given.pop(key, None)
    assert build_spec(given) == spec
