"""Padded token batches: extra right padding changes neither valid outputs nor the loss."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import GeneratedModules, matrix, spec_for, write_project

MASKED_MODES = ("many2one", "many2many", "seq2seq")
EXTRA = 4  # padding steps appended to every sequence


def padded_pair(generated, examples=6):
    """A synthetic batch (mixed lengths) and the same batch with EXTRA more padding steps."""
    x, y = generated.data.synthetic(generated.model.CONFIG, examples, seed=3)
    assert (x == 0).any(), "the synthetic batch should already hold padding"
    x_more = np.concatenate([x, np.zeros((len(x), EXTRA), dtype=x.dtype)], axis=1)
    y_more = y
    if generated.model.CONFIG.get("out_len") is None and y.ndim >= 2:  # many2many
        pad = np.zeros((len(y), EXTRA, *y.shape[2:]), dtype=y.dtype)
        y_more = np.concatenate([y, pad], axis=1)
    return (x, y), (x_more, y_more)


def valid_outputs(spec, outputs, x):
    if spec.mode == "many2many":
        return outputs[:, : x.shape[1]][x != 0]
    return outputs


@pytest.mark.slow
@pytest.mark.parametrize("combo", matrix(frameworks=("pytorch",), modes=MASKED_MODES,
                                         inputs=("tokens",)))
def test_pytorch_padding_changes_nothing(combo, tmp_path):
    import torch

    spec = spec_for(*combo, num_layers=2, dropout=0.1)
    with GeneratedModules(write_project(tmp_path, spec)) as generated:
        torch.manual_seed(0)
        model = generated.model.build_model(generated.model.CONFIG).eval()
        (x, y), (x_more, y_more) = padded_pair(generated)
        with torch.no_grad():
            out = model(torch.from_numpy(x)).numpy()
            out_more = model(torch.from_numpy(x_more)).numpy()
            loss = generated.train.batch_loss(model, torch.from_numpy(x), torch.from_numpy(y))
            loss_more = generated.train.batch_loss(
                model, torch.from_numpy(x_more), torch.from_numpy(y_more)
            )
        np.testing.assert_allclose(
            valid_outputs(spec, out_more, x), valid_outputs(spec, out, x), atol=1e-5
        )
        assert abs(loss.item() - loss_more.item()) < 1e-5


@pytest.mark.slow
@pytest.mark.parametrize("combo", matrix(frameworks=("keras",), modes=MASKED_MODES,
                                         inputs=("tokens",)))
def test_keras_padding_changes_nothing(combo, tmp_path):
    import keras

    spec = spec_for(*combo, num_layers=2, dropout=0.1)
    with GeneratedModules(write_project(tmp_path, spec)) as generated:
        keras.utils.set_random_seed(0)
        model = generated.model.build_model(generated.model.CONFIG)
        generated.train.compile_model(model, learning_rate=1e-3, clip_norm=1.0)
        (x, y), (x_more, y_more) = padded_pair(generated)
        out = keras.ops.convert_to_numpy(model(x, training=False))
        out_more = keras.ops.convert_to_numpy(model(x_more, training=False))
        np.testing.assert_allclose(
            valid_outputs(spec, out_more, x), valid_outputs(spec, out, x), atol=1e-5
        )
        loss = model.evaluate(x, y, verbose=0, return_dict=True)
        loss_more = model.evaluate(x_more, y_more, verbose=0, return_dict=True)
        for name in loss:
            assert abs(loss[name] - loss_more[name]) < 1e-5, name
