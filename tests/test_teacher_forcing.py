"""The seq2seq teacher-forcing decoder (``--decoder teacher-forcing``), both frameworks.

Fast tier: every point renders black-clean, compiles and passes ``ruff --select F``.
Slow tier: build; the teacher-forced and greedy outputs have the right shapes;
greedy decoding is what teacher forcing on its own predictions gives (so the
step-by-step inference path is wired like the training path); it stops at END
and keeps later steps END; one training step moves every weight; parameter
counts match ``rnngen.architecture``; and train.py, predict.py and the
generated test_model.py run end to end.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, GeneratedModules, pytorch_step, run_python, spec_for, write_project
from rnngen.architecture import layers, param_count
from rnngen.formatting import format_python
from rnngen.generate import generate

BATCH = 16
END = 0


def tf_spec(framework, cell, input_kind, direction, num_layers, task="classification"):
    """A small teacher-forcing spec: hidden 16, vocab 50, seq_len 7, out_len 4, 5 outputs."""
    extra = {"num_layers": 2, "dropout": 0.1} if num_layers == 2 else {}
    if task == "regression":
        extra["output_size"] = 3
    return spec_for(framework, "seq2seq", cell, input_kind, direction, task=task,
                    decoder="teacher-forcing", **extra)


def tf_matrix(frameworks=("pytorch", "keras"), cells=("gru", "lstm", "rnn"),
              inputs=("tokens", "features"), directions=("uni", "bi"), depths=(1, 2),
              tasks=("classification",)):
    """pytest params with ids like ``keras-lstm-tokens-bi-2layers-classification``."""
    return [
        pytest.param(combo, id="-".join([*combo[:4], f"{combo[4]}layers", combo[5]]))
        for combo in itertools.product(frameworks, cells, inputs, directions, depths, tasks)
    ]


# Keras builds are slower: GRU and LSTM over the rest of the matrix, plus a few
# SimpleRNN and regression points.
KERAS_MATRIX = tf_matrix(frameworks=("keras",), cells=("gru", "lstm")) + [
    pytest.param(("keras", "rnn", "tokens", "bi", 2, "classification"),
                 id="keras-rnn-tokens-bi-2layers-classification"),
    pytest.param(("keras", "gru", "features", "bi", 2, "regression"),
                 id="keras-gru-features-bi-2layers-regression"),
    pytest.param(("keras", "lstm", "tokens", "uni", 1, "regression"),
                 id="keras-lstm-tokens-uni-1layers-regression"),
]
TORCH_MATRIX = tf_matrix(frameworks=("pytorch",), tasks=("classification", "regression"))


def out_shape(spec, batch=BATCH):
    return (batch, spec.out_len, spec.output_size)


def first_end(predicted):
    """Per row, the index of the first END (the row length when there is none)."""
    is_end = predicted == END
    return np.where(is_end.any(axis=1), is_end.argmax(axis=1), predicted.shape[1])


def check_greedy_matches_teacher_forcing(spec, greedy, forced):
    """``forced``: teacher forcing fed the greedy predictions. Both are numpy arrays.

    Regression must agree at every step. Classification agrees up to and
    including each sequence's first END; after it, greedy repeats the END
    step's logits, so every later step reads END.
    """
    if spec.task == "regression":
        np.testing.assert_allclose(forced, greedy, rtol=1e-4, atol=1e-5)
        return
    predicted = greedy.argmax(axis=-1)
    ends = first_end(predicted)
    for row, end in enumerate(ends):
        kept = min(end + 1, spec.out_len)
        np.testing.assert_allclose(forced[row, :kept], greedy[row, :kept], rtol=1e-4, atol=1e-5)
        assert (predicted[row, end:] == END).all()
        if end < spec.out_len:
            np.testing.assert_array_equal(greedy[row, end:], np.repeat(greedy[row, end:end + 1],
                                                                      spec.out_len - end, 0))


def scripted_plan(spec):
    """Classes the scripted head emits: row 0 ends at step 1 and then says 3 (must read
    END); row 1 ends at step 2; every row has ended by step 2, so decoding stops there."""
    plan = np.full((BATCH, spec.out_len), 2)
    plan[:, 2] = END
    plan[0, 1], plan[0, 2], plan[0, 3] = END, 3, 3
    return plan


EXPECTED_FROM_PLAN = {0: [2, END, END, END], 1: [2, 2, END, END]}


# Fast tier ---------------------------------------------------------------------------

RENDER_MATRIX = tf_matrix(depths=(2,), tasks=("classification", "regression"))


@pytest.mark.parametrize("combo", RENDER_MATRIX)
def test_renders_black_clean_compiles_and_passes_ruff(combo, tmp_path):
    spec = tf_spec(*combo[:5], task=combo[5])
    for name, text in generate(spec).items():
        if name.endswith(".py"):
            assert format_python(name, text) == text, name
            compile(text, name, "exec")
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "F", str(tmp_path)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("framework", ["pytorch", "keras"])
def test_the_convention_is_documented_where_users_read(framework):
    files = generate(tf_spec(framework, "gru", "tokens", "uni", 1))
    for name in ("README.md", "data.py", "model.py"):
        text = " ".join(files[name].split())
        assert "Class 0 doubles as END" in text, name
        assert "START is the extra id output_size" in text, name
    regression = generate(tf_spec(framework, "gru", "tokens", "uni", 1, task="regression"))
    assert "no END token" in " ".join(regression["README.md"].split())


def test_repeat_stays_the_default_without_a_greedy_loop():
    repeat = spec_for("pytorch", "seq2seq")
    assert repeat.decoder == "repeat"
    model = generate(repeat)["model.py"]
    assert "repeated at every output step" in model
    assert "greedy" not in model and "target_embedding" not in model


def test_layer_table_lists_the_decoder_input_and_a_wider_decoder():
    spec = tf_spec("pytorch", "gru", "tokens", "bi", 2)
    rows = {row.name: row for row in layers(spec)}
    assert "repeat" not in rows
    assert rows["target_embedding"].pytorch_params == (spec.output_size + 1) * spec.embed_dim
    assert rows["decoder_1"].output_shape == f"(batch, {spec.out_len}, {2 * spec.hidden_size})"
    assert rows["head"].pytorch_params == (2 * spec.hidden_size + 1) * spec.output_size


# Slow tier: PyTorch ------------------------------------------------------------------

def torch_row_params(model, name):
    """Parameters of the layer-table row ``name`` in the torch model (``encoder_2`` is the
    fused encoder's ``_l1`` slice)."""
    match = re.fullmatch(r"(encoder|decoder)_(\d+)", name)
    if match is None:
        module = getattr(model, name, None)
        return 0 if module is None else sum(p.numel() for p in module.parameters())
    module, index = getattr(model, match[1]), int(match[2]) - 1
    return sum(value.numel() for key, value in module.named_parameters()
               if re.search(rf"_l{index}(_reverse)?$", key))


@pytest.mark.slow
@pytest.mark.parametrize("combo", TORCH_MATRIX)
def test_pytorch_teacher_forcing(combo, tmp_path):
    import torch

    spec = tf_spec(*combo[:5], task=combo[5])
    with GeneratedModules(write_project(tmp_path, spec)) as generated:
        config = generated.model.CONFIG
        x, y = generated.data.synthetic(config, BATCH, seed=0)
        inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
        torch.manual_seed(0)
        model = generated.model.build_model(config)

        rows = layers(spec)
        assert {row.name: torch_row_params(model, row.name) for row in rows} == {
            row.name: row.pytorch_params for row in rows
        }
        assert sum(p.numel() for p in model.parameters()) == param_count(spec, "pytorch")

        model.eval()
        with torch.no_grad():
            forced = model(inputs, targets)
            greedy = model(inputs)
        assert tuple(forced.shape) == out_shape(spec)
        assert tuple(greedy.shape) == out_shape(spec)
        assert torch.isfinite(forced).all() and torch.isfinite(greedy).all()
        fed_back = greedy.argmax(dim=-1) if spec.task == "classification" else greedy
        with torch.no_grad():
            replayed = model(inputs, fed_back)
        check_greedy_matches_teacher_forcing(spec, greedy.numpy(), replayed.numpy())

        # train.py's loss is the teacher-forced one.
        with torch.no_grad():
            loss = generated.train.batch_loss(model, inputs, targets)
            expected = generated.train.step_losses(forced, targets).mean()
        torch.testing.assert_close(loss, expected)

        loss, unchanged = pytorch_step(generated, model, inputs, targets)
        assert torch.isfinite(loss)
        assert unchanged == []


def scripted_head(plan, classes):
    """A torch module standing in for the head: at call ``step`` it picks ``plan[:, step]``."""
    import torch

    class ScriptedHead(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.zeros(1))  # greedy_decode reads its device
            self.calls = 0

        def forward(self, output):
            chosen = torch.as_tensor(plan[:, self.calls])
            self.calls += 1
            logits = 10.0 * torch.nn.functional.one_hot(chosen, classes).float()
            return logits.unsqueeze(1) + 0.0 * output.sum()  # (batch, 1, classes)

    return ScriptedHead()


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_pytorch_greedy_decoding_stops_at_end(cell, tmp_path):
    import torch

    spec = tf_spec("pytorch", cell, "tokens", "bi", 2)
    with GeneratedModules(write_project(tmp_path, spec)) as generated:
        config = generated.model.CONFIG
        x, _ = generated.data.synthetic(config, BATCH, seed=0)
        model = generated.model.build_model(config).eval()
        model.head = head = scripted_head(scripted_plan(spec), spec.output_size)
        with torch.no_grad():
            predicted = model(torch.from_numpy(x)).argmax(dim=-1).numpy()
        assert head.calls == 3  # stopped once every row had produced END
        for row, expected in EXPECTED_FROM_PLAN.items():
            assert predicted[row].tolist() == expected
        assert (predicted[:, 2:] == END).all()

        # A head that makes END win at once: one decoder step, then all END.
        model = generated.model.build_model(config).eval()
        steps = []
        model.decoder.register_forward_hook(lambda *_: steps.append(1))
        with torch.no_grad():
            model.head.bias[END] = 1e4
            outputs = model(torch.from_numpy(x))
        assert tuple(outputs.shape) == out_shape(spec)
        assert (outputs.argmax(dim=-1) == END).all() and len(steps) == 1


# Slow tier: Keras --------------------------------------------------------------------

def keras_row_layer(model, name):
    """The Keras layer for a layer-table row, or None (``shifted_targets`` is no layer)."""
    names = {layer.name for layer in model.layers}
    for candidate in (f"bidirectional_{name}", name):
        if candidate in names:
            return model.get_layer(candidate)
    return None


@pytest.mark.slow
@pytest.mark.parametrize("combo", KERAS_MATRIX)
def test_keras_teacher_forcing(combo, tmp_path):
    import keras

    spec = tf_spec(*combo[:5], task=combo[5])
    with GeneratedModules(write_project(tmp_path, spec)) as generated:
        model_module = generated.model
        config = model_module.CONFIG
        x, y = generated.data.synthetic(config, BATCH, seed=0)
        keras.utils.set_random_seed(0)
        model = model_module.build_model(config)
        assert isinstance(model, keras.Model)

        rows = layers(spec)
        built = {row.name: keras_row_layer(model, row.name) for row in rows}
        assert {name: layer.count_params() if layer else 0 for name, layer in built.items()} == {
            row.name: row.keras_params for row in rows
        }
        assert model.count_params() == param_count(spec, "keras")

        previous = model_module.decoder_inputs(y, config)
        assert previous.shape[:2] == y.shape[:2]
        forced = keras.ops.convert_to_numpy(model([x, previous], training=False))
        assert forced.shape == out_shape(spec)

        encoder, step = model_module.build_inference_models(model, config)
        assert encoder.count_params() + step.count_params() == model.count_params()
        greedy = model_module.decode(encoder, step, x, config, batch_size=BATCH // 2 + 1)
        assert greedy.shape == out_shape(spec)
        assert np.isfinite(forced).all() and np.isfinite(greedy).all()
        fed_back = greedy.argmax(axis=-1) if spec.task == "classification" else greedy
        replayed = model([x, model_module.decoder_inputs(fed_back, config)], training=False)
        check_greedy_matches_teacher_forcing(spec, greedy, keras.ops.convert_to_numpy(replayed))

        generated.train.compile_model(model, learning_rate=1e-2, clip_norm=1.0)
        model.run_eagerly = True  # one step: tracing a graph would cost more than it saves
        before = [keras.ops.convert_to_numpy(weight) for weight in model.trainable_weights]
        loss = model.train_on_batch([x, previous], y)
        loss = loss[0] if isinstance(loss, list) else loss
        assert np.isfinite(loss)
        unchanged = [
            weight.path
            for weight, old in zip(model.trainable_weights, before)
            if np.array_equal(keras.ops.convert_to_numpy(weight), old)
        ]
        assert unchanged == []


@pytest.mark.slow
def test_keras_greedy_decoding_stops_at_end(tmp_path):
    import keras

    spec = tf_spec("keras", "lstm", "tokens", "bi", 2)
    plan = scripted_plan(spec)
    with GeneratedModules(write_project(tmp_path, spec)) as generated:
        model_module = generated.model
        config = model_module.CONFIG
        x, _ = generated.data.synthetic(config, BATCH, seed=0)
        model = model_module.build_model(config)
        encoder, step = model_module.build_inference_models(model, config)
        calls = []

        def scripted_step(inputs, training=False):
            _, *state = step(inputs, training=training)
            chosen = plan[:, len(calls)]
            calls.append(inputs)
            logits = 10.0 * np.eye(spec.output_size, dtype="float32")[chosen][:, np.newaxis]
            return [keras.ops.convert_to_tensor(logits), *state]

        predicted = model_module.decode(encoder, scripted_step, x, config).argmax(axis=-1)
        assert len(calls) == 3
        # The fed-back input is START, then the previous step's argmax.
        fed = [keras.ops.convert_to_numpy(inputs[0])[:, 0] for inputs in calls]
        assert (fed[0] == spec.output_size).all()
        np.testing.assert_array_equal(fed[1], plan[:, 0])
        for row, expected in EXPECTED_FROM_PLAN.items():
            assert predicted[row].tolist() == expected
        assert (predicted[:, 2:] == END).all()


# Slow tier: end to end ---------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("framework", ["pytorch", "keras"])
def test_train_then_predict_then_generated_tests(framework, tmp_path):
    spec = tf_spec(framework, "lstm", "tokens", "bi", 2)
    folder = write_project(tmp_path / "project", spec)
    result = run_python(
        ["train.py", "--epochs", "1", "--examples", "64", "--batch-size", "16", "--out", "runs"],
        cwd=folder,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    metrics = json.loads((folder / "runs" / "metrics.json").read_text())
    assert {"train_loss", "val_loss", "train_accuracy", "val_accuracy"} <= set(metrics)
    assert all(np.isfinite(value) for value in metrics.values())

    code = (
        "import numpy as np, data, model;"
        "x, _ = data.synthetic(model.CONFIG, 9, seed=1);"
        "np.savez('new.npz', x=x)"
    )
    assert run_python(["-c", code], cwd=folder).returncode == 0
    model_file = {"pytorch": "model.pt", "keras": "model.keras"}[framework]
    result = run_python(["predict.py", "new.npz", "--model", f"runs/{model_file}"], cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    predictions = np.load(folder / "predictions.npy")
    assert predictions.shape == (9, spec.out_len)
    assert np.issubdtype(predictions.dtype, np.integer)
    # Once a sequence predicts END, the rest of it is END.
    for row in predictions:
        ends = np.flatnonzero(row == END)
        assert ends.size == 0 or (row[ends[0]:] == END).all()

    result = run_python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_model.py"],
                        cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_keras_on_the_torch_backend(task, tmp_path):
    """The same generated files run unchanged with KERAS_BACKEND=torch, save and load too."""
    spec = tf_spec("keras", "gru", "features" if task == "regression" else "tokens", "bi", 2,
                   task=task)
    folder = write_project(tmp_path / "project", spec)
    env = {"KERAS_BACKEND": "torch"}
    result = run_python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_model.py"],
                        cwd=folder, env_extra=env)
    assert result.returncode == 0, result.stdout + result.stderr
    result = run_python(["train.py", "--epochs", "1", "--examples", "48", "--out", "runs"],
                        cwd=folder, env_extra=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "keras/torch" in result.stdout
    code = (
        "import numpy as np, data, model;"
        "x, _ = data.synthetic(model.CONFIG, 5, seed=1);"
        "np.savez('new.npz', x=x)"
    )
    assert run_python(["-c", code], cwd=folder).returncode == 0
    result = run_python(["predict.py", "new.npz"], cwd=folder, env_extra=env)
    assert result.returncode == 0, result.stdout + result.stderr
    predictions = np.load(folder / "predictions.npy")
    assert predictions.shape[:2] == (5, spec.out_len)
