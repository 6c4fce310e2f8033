"""Slow tier: build every model, check its output shape, take one optimizer step."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import GeneratedModules, matrix, pytorch_step, spec_for, write_project

BATCH = 6


def expected_shape(spec, inputs):
    if spec.mode in ("one2one", "many2one"):
        return (BATCH, spec.output_size)
    if spec.mode == "many2many":
        return (BATCH, inputs.shape[1], spec.output_size)
    return (BATCH, spec.out_len, spec.output_size)


def without_recurrent(spec, unchanged, recurrent):
    """one2one runs one step from a zero state, so its recurrent weights get no gradient."""
    if spec.mode != "one2one":
        return unchanged
    return [name for name in unchanged if recurrent not in name]


def expected_input_shape(spec):
    feature = (spec.input_size,) if spec.input == "features" else ()
    steps = {"one2one": (1,), "one2many": ()}.get(spec.mode, (spec.seq_len,))
    return (BATCH, *steps, *feature)


@pytest.mark.slow
@pytest.mark.parametrize("combo", matrix(frameworks=("pytorch",)))
def test_pytorch_model_shape_and_one_step(combo, tmp_path):
    import torch

    spec = spec_for(*combo, num_layers=2, dropout=0.1)
    with GeneratedModules(write_project(tmp_path, spec)) as generated:
        config = generated.model.CONFIG
        x, y = generated.data.synthetic(config, BATCH, seed=0)
        assert x.shape == expected_input_shape(spec)
        torch.manual_seed(0)
        model = generated.model.build_model(config)
        assert isinstance(model, torch.nn.Module)
        inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
        model.eval()
        with torch.no_grad():
            outputs = model(inputs)
        assert tuple(outputs.shape) == expected_shape(spec, x)
        loss, unchanged = pytorch_step(generated, model, inputs, targets)
        assert torch.isfinite(loss)
        assert without_recurrent(spec, unchanged, "weight_hh") == []


@pytest.mark.slow
@pytest.mark.parametrize("combo", matrix(frameworks=("keras",)))
def test_keras_model_shape_and_one_step(combo, tmp_path):
    import keras

    spec = spec_for(*combo, num_layers=2, dropout=0.1)
    with GeneratedModules(write_project(tmp_path, spec)) as generated:
        config = generated.model.CONFIG
        x, y = generated.data.synthetic(config, BATCH, seed=0)
        assert x.shape == expected_input_shape(spec)
        keras.utils.set_random_seed(0)
        model = generated.model.build_model(config)
        assert isinstance(model, keras.Model)
        outputs = keras.ops.convert_to_numpy(model(x, training=False))
        assert outputs.shape == expected_shape(spec, x)
        generated.train.compile_model(model, learning_rate=1e-2, clip_norm=1.0)
        model.run_eagerly = True  # one step: tracing a graph would cost more than it saves
        before = [keras.ops.convert_to_numpy(weight) for weight in model.trainable_weights]
        model.train_on_batch(x, y)
        unchanged = [
            weight.path
            for weight, old in zip(model.trainable_weights, before)
            if np.array_equal(keras.ops.convert_to_numpy(weight), old)
        ]
        assert without_recurrent(spec, unchanged, "recurrent_kernel") == []
