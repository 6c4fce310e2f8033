"""Smoke-test generated rnngen folders; ``rnngen check`` runs this in a subprocess.

Standalone on purpose: it imports only the standard library, numpy, the
framework and the checked folder's own files, never rnngen. It runs under
whichever Python runs the generated code, with or without rnngen installed:

    python check_runner.py [--device auto] [--train-steps 3] [--timeout 300]
                           [--scratch TMPDIR] DIR [DIR ...]

Several folders share one process, so a framework is imported once for all of
them. For each folder it runs these steps in order and stops at the first
failure: spec, compile, framework, import, data, build, shape, train, amp,
predict.

stdout carries only protocol lines, each ``@rnngen-check `` and one JSON object:

    {"event": "begin", "folder": ...}
    {"event": "start", "folder": ..., "step": ..., "file": ...}
    {"event": "step", "folder": ..., "step": ..., "file": ..., "status": "ok" | "fail" | "skip",
     "seconds": ..., "message": ..., "detail": ...}
    {"event": "done", "folder": ..., "ok": ..., "seconds": ..., "device": ...,
     "spec": {"framework": ..., "mode": ..., "task": ...}}

Whatever the checked code prints goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

PREFIX = "@rnngen-check "
MODES = ("one2one", "one2many", "many2one", "many2many", "seq2seq")
# Top-level module a framework needs -> how to install it.
INSTALL = {
    "numpy": "pip install numpy",
    "torch": "pip install torch",
    "keras": "pip install keras tensorflow",
    "tensorflow": "pip install tensorflow (or pick another backend with KERAS_BACKEND)",
    "jax": "pip install jax (or pick another backend with KERAS_BACKEND)",
}
# Recurrent weights by framework: in one2one they multiply the zero initial
# state of a single step, so they get no gradient and rightly stay put.
RECURRENT_WEIGHTS = {"pytorch": "weight_hh", "keras": "recurrent_kernel"}
SHAPE_BATCH = 4
TRAIN_BATCH = 8
PREDICT_EXAMPLES = 10

# The protocol stream; sys.stdout is pointed at stderr so that prints from the
# checked code cannot interleave with it.
PROTOCOL = sys.stdout


class StepFailed(Exception):
    """A check found something wrong; ``file`` is the generated file to look at."""

    def __init__(self, message: str, file: str | None = None):
        super().__init__(message)
        self.file = file


def emit(**record) -> None:
    PROTOCOL.write(PREFIX + json.dumps(record) + "\n")
    PROTOCOL.flush()


## Reading the folder
def read_spec(folder: Path) -> tuple[dict, str]:
    """Framework, mode and (if known) task of the folder, and where they came from."""
    answers = folder / ".rnngen.json"
    if answers.is_file():
        try:
            spec = json.loads(answers.read_text(encoding="utf-8"))["spec"]
            if spec["framework"] in ("pytorch", "keras") and spec["mode"] in MODES:
                return {key: spec.get(key) for key in ("framework", "mode", "task")}, ".rnngen.json"
        except (ValueError, KeyError, TypeError):
            pass
    # No usable record: read the generated model.py instead.
    try:
        source = (folder / "model.py").read_text(encoding="utf-8")
    except OSError as error:
        raise StepFailed(f"cannot read model.py: {error.strerror or error}", "model.py") from None
    framework = "keras" if re.search(r"^import keras\b", source, re.MULTILINE) else None
    if re.search(r"^(import torch|from torch import)\b", source, re.MULTILINE):
        framework = "pytorch"
    modes = re.findall(r"\b(" + "|".join(MODES) + r")\b", source)
    if framework is None or not modes:
        raise StepFailed(
            ".rnngen.json is missing or unreadable, and model.py does not say its framework "
            "and mode; regenerate the folder or restore .rnngen.json",
            ".rnngen.json",
        )
    return {"framework": framework, "mode": modes[0], "task": None}, "model.py; no .rnngen.json"


## Describing failures
def describe(error: BaseException, folder: Path, file: str) -> tuple[str, str, str]:
    """(file, one-line message, detail) for an exception raised by the checked code."""
    if isinstance(error, ImportError):
        missing = (getattr(error, "name", None) or "").split(".")[0]
        if missing in INSTALL:
            return file, missing_framework(missing), ""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if _inside(frame.filename, folder)
    ]
    detail = "".join(
        traceback.format_list(frames) + traceback.format_exception_only(type(error), error)
    )
    text = _first_line(error)
    if isinstance(error, SyntaxError) and error.filename and _inside(error.filename, folder):
        where = Path(error.filename).name
        line = (error.text or "").strip()
        shown = f": {line}" if line else ""
        return where, f"{where} line {error.lineno}: SyntaxError: {error.msg}{shown}", detail
    if isinstance(error, SystemExit):
        return file, f"{file} exited: {text}", detail
    if frames:
        last = frames[-1]
        where = Path(last.filename).name
        name = type(error).__name__
        return where, f"{where} line {last.lineno} in {last.name}: {name}: {text}", detail
    return file, f"{file}: {type(error).__name__}: {text}", detail


def missing_framework(module: str) -> str:
    return (
        f"framework not installed: {module} cannot be imported by {sys.executable}; "
        f"{INSTALL[module]}"
    )


def _inside(filename: str, folder: Path) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(folder)
    except (OSError, ValueError):
        return False


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or repr(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = lines[0] if lines else text
    return line if len(line) <= 300 else line[:297] + "..."


## The checks
class FolderCheck:
    """The steps for one folder; each returns the message shown when it passes."""

    def __init__(self, folder: Path, args: argparse.Namespace):
        self.folder = folder
        self.args = args
        self.spec: dict = {}
        self.frameworks: dict = {}
        self.device = None
        self.device_name = "?"
        self.modules: dict = {}
        self.model = None
        self.finite_outputs = True
        self.scratch = Path(tempfile.mkdtemp(prefix="rnngen-check-", dir=args.scratch))

    @property
    def pytorch(self) -> bool:
        return self.spec["framework"] == "pytorch"

    def steps(self):
        """(name, file blamed by default, function) in order."""
        return [
            ("spec", ".rnngen.json", self.check_spec),
            ("compile", "model.py", self.check_compile),
            ("framework", "", self.check_framework),
            ("import", "model.py", self.check_import),
            ("data", "data.py", self.check_data),
            ("build", "model.py", self.check_build),
            ("shape", "model.py", self.check_shape),
            ("train", "train.py", self.check_train),
            ("amp", "train.py", self.check_amp),
            ("predict", "predict.py", self.check_predict),
        ]

    def check_spec(self):
        self.spec, source = read_spec(self.folder)
        task = f" {self.spec['task']}" if self.spec["task"] else ""
        return f"{self.spec['framework']} {self.spec['mode']}{task} (from {source})"

    def check_compile(self):
        names = ["model.py", "data.py", "train.py"]
        missing = [name for name in names if not (self.folder / name).is_file()]
        if missing:
            raise StepFailed(f"{missing[0]} is missing from {self.folder}", missing[0])
        names += sorted(
            path.name for path in self.folder.glob("*.py") if path.name not in names
        )
        for name in names:
            path = self.folder / name
            compile(path.read_bytes(), str(path), "exec")
        return ", ".join(names)

    def check_framework(self):
        if self.pytorch:
            return self._pick_torch_device()
        return self._pick_keras_device()

    def _pick_torch_device(self):
        numpy = _import_framework("numpy")
        torch = _import_framework("torch")
        self.frameworks = {"numpy": numpy, "torch": torch}
        available = {
            "cuda": torch.cuda.is_available(),
            "mps": torch.backends.mps.is_available(),
        }
        requested = self.args.device
        if requested == "auto":
            name = next((name for name in ("cuda", "mps") if available[name]), "cpu")
            how = "auto" if name != "cpu" else "auto: no CUDA or MPS here"
        else:
            if requested != "cpu" and not available[requested]:
                raise StepFailed(f"--device {requested} was asked for, but torch sees none here")
            name, how = requested, "asked for"
        self.device, self.device_name = torch.device(name), name
        return f"torch {torch.__version__} on {name} ({how})"

    def _pick_keras_device(self):
        if self.args.device == "cpu":
            # Hide GPUs before the backend starts, so every op runs on the CPU.
            os.environ["CUDA_VISIBLE_DEVICES"] = ""
        numpy = _import_framework("numpy")
        keras = _import_framework("keras")
        self.frameworks = {"numpy": numpy, "keras": keras}
        backend = keras.backend.backend()
        accelerator = _keras_accelerator(backend)
        requested = self.args.device
        if requested == "auto":
            name = accelerator
            how = "auto" if name != "cpu" else "auto: no GPU here"
        else:
            if requested != "cpu" and accelerator != requested:
                raise StepFailed(
                    f"--device {requested} was asked for, but keras/{backend} sees "
                    f"{accelerator} only"
                )
            name, how = requested, "asked for"
        self.device_name = name
        return f"keras {keras.__version__} with {backend} on {name} ({how})"

    def check_import(self):
        sys.path.insert(0, str(self.folder))
        for name in ("model", "data", "train"):
            self.modules[name] = importlib.import_module(name)
        for name, attribute in (("model", "CONFIG"), ("model", "build_model"),
                                ("data", "synthetic"), ("data", "check")):
            if not hasattr(self.modules[name], attribute):
                raise StepFailed(f"{name}.py defines no {attribute}", f"{name}.py")
        hook = "batch_loss" if self.pytorch else "compile_model"
        if not hasattr(self.modules["train"], hook):
            raise StepFailed(f"train.py defines no {hook}", "train.py")
        return "model.py, data.py, train.py"

    def check_data(self):
        numpy = self.frameworks["numpy"]
        data, config = self.modules["data"], self.modules["model"].CONFIG
        examples = max(SHAPE_BATCH, TRAIN_BATCH * self.args.train_steps)
        x, y = data.synthetic(config, examples, seed=0)
        x, y = data.check(x, y, config)
        self.x, self.y = numpy.asarray(x), numpy.asarray(y)
        x, y = self.x, self.y
        return f"synthetic x {x.shape} {x.dtype}, y {y.shape} {y.dtype} pass data.check"

    def check_build(self):
        config = self.modules["model"].CONFIG
        if self.pytorch:
            torch = self.frameworks["torch"]
            torch.manual_seed(0)
            model = self.modules["model"].build_model(config)
            if not isinstance(model, torch.nn.Module):
                kind = type(model).__name__
                raise StepFailed(f"build_model returned {kind}, not a torch.nn.Module")
            self.model = model.to(self.device)
            count = sum(parameter.numel() for parameter in model.parameters())
            return f"{type(model).__name__}, {count:,} parameters, on {self.device_name}"
        keras = self.frameworks["keras"]
        keras.utils.set_random_seed(0)
        model = self.modules["model"].build_model(config)
        if not isinstance(model, keras.Model):
            kind = type(model).__name__
            raise StepFailed(f"build_model returned {kind}, not a keras.Model")
        self.model = model
        return f"{model.name}, {model.count_params():,} parameters"

    def check_shape(self):
        numpy = self.frameworks["numpy"]
        inputs = self.x[:SHAPE_BATCH]
        outputs = self._forward(inputs, self.y[:SHAPE_BATCH], training=False)
        expected, names = expected_shape(self.spec["mode"], self.modules["model"].CONFIG, inputs)
        if tuple(outputs.shape) != expected:
            raise StepFailed(
                f"model.py: output shape {tuple(outputs.shape)}, expected {expected} = {names} "
                f"for {self.spec['mode']} (from CONFIG and a batch of {len(inputs)})"
            )
        self.finite_outputs = bool(numpy.isfinite(outputs).all())
        if not self.finite_outputs:
            raise StepFailed(
                f"model.py: the outputs hold NaN or inf before any training "
                f"(shape {expected} is right)"
            )
        return f"{expected} = {names}"

    def _forward(self, inputs, targets, training):
        """The model's outputs for numpy ``inputs``, as a numpy array."""
        if self.pytorch:
            torch = self.frameworks["torch"]
            self.model.train(training)
            with torch.no_grad():
                outputs = self.model(torch.from_numpy(inputs).to(self.device))
            return outputs.detach().float().cpu().numpy()
        keras = self.frameworks["keras"]
        model_inputs = self._keras_inputs(inputs, targets)
        return keras.ops.convert_to_numpy(self.model(model_inputs, training=training))

    def _keras_inputs(self, inputs, targets):
        """What the Keras training model takes: ``inputs``, plus the shifted targets
        for a teacher-forced decoder (model.py's ``decoder_inputs`` hook)."""
        hook = getattr(self.modules["model"], "decoder_inputs", None)
        if hook is None:
            return inputs
        return [inputs, hook(targets, self.modules["model"].CONFIG)]

    def check_train(self):
        steps = self.args.train_steps
        if self.pytorch:
            losses, unchanged = self._train_torch(steps)
        else:
            losses, unchanged = self._train_keras(steps)
        note = ""
        if self.spec["mode"] == "one2one":
            recurrent = RECURRENT_WEIGHTS[self.spec["framework"]]
            inert = [name for name in unchanged if recurrent in name]
            unchanged = [name for name in unchanged if recurrent not in name]
            note = f" ({len(inert)} recurrent weights get no gradient in one2one)" if inert else ""
        if unchanged:
            shown = ", ".join(unchanged[:5]) + (", ..." if len(unchanged) > 5 else "")
            raise StepFailed(
                f"model.py: {len(unchanged)} of the weights did not change in {steps} "
                f"training steps ({shown}); the loss does not depend on them",
                "model.py",
            )
        done = f"{steps} step{'s' if steps > 1 else ''}"
        return f"{done}, loss {losses[0]:.4f} -> {losses[-1]:.4f}, every weight changed{note}"

    def _check_loss(self, loss, step, steps, outputs_finite):
        if math.isfinite(loss):
            return
        if not outputs_finite:
            raise StepFailed(
                f"loss is {loss} at step {step} of {steps}: model.py's outputs hold NaN or inf "
                "in training mode",
                "model.py",
            )
        hook = "batch_loss" if self.pytorch else "compile_model's loss"
        raise StepFailed(
            f"loss is {loss} at step {step} of {steps}, from finite model outputs: "
            f"look at train.py's {hook}",
            "train.py",
        )

    def _train_torch(self, steps):
        torch = self.frameworks["torch"]
        config, train = self.modules["model"].CONFIG, self.modules["train"]
        model = self.model
        before = {name: value.detach().clone() for name, value in model.named_parameters()
                  if value.requires_grad}
        optimizer = torch.optim.Adam(model.parameters(), lr=config["learning_rate"])
        seen = []
        hook = model.register_forward_hook(lambda module, args, output: seen.append(output))
        losses = []
        try:
            model.train()
            for step in range(steps):
                batch = slice(step * TRAIN_BATCH, (step + 1) * TRAIN_BATCH)
                inputs = torch.from_numpy(self.x[batch]).to(self.device)
                targets = torch.from_numpy(self.y[batch]).to(self.device)
                seen.clear()
                loss = train.batch_loss(model, inputs, targets)
                outputs_finite = all(
                    bool(torch.isfinite(output).all()) for output in seen
                    if isinstance(output, torch.Tensor)
                )
                self._check_loss(loss.item(), step + 1, steps, outputs_finite)
                optimizer.zero_grad()
                loss.backward()
                if config["clip_norm"] > 0:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), config["clip_norm"])
                optimizer.step()
                losses.append(loss.item())
        finally:
            hook.remove()
        unchanged = [name for name, value in model.named_parameters()
                     if name in before and torch.equal(value.detach(), before[name])]
        return losses, unchanged

    def _train_keras(self, steps):
        keras = self.frameworks["keras"]
        numpy = self.frameworks["numpy"]
        config, train = self.modules["model"].CONFIG, self.modules["train"]
        model = train.compile_model(self.model, config["learning_rate"], config["clip_norm"])
        before = [numpy.array(keras.ops.convert_to_numpy(weight))
                  for weight in model.trainable_weights]
        losses = []
        for step in range(steps):
            batch = slice(step * TRAIN_BATCH, (step + 1) * TRAIN_BATCH)
            inputs, targets = self.x[batch], self.y[batch]
            model_inputs = self._keras_inputs(inputs, targets)
            outputs = keras.ops.convert_to_numpy(model(model_inputs, training=True))
            loss = model.train_on_batch(model_inputs, targets)
            loss = float(loss[0] if isinstance(loss, (list, tuple)) else loss)
            self._check_loss(loss, step + 1, steps, bool(numpy.isfinite(outputs).all()))
            losses.append(loss)
        unchanged = [
            weight.path
            for weight, old in zip(model.trainable_weights, before)
            if numpy.array_equal(keras.ops.convert_to_numpy(weight), old)
        ]
        return losses, unchanged

    def check_amp(self):
        """On CUDA, one short epoch of train.py with --amp (bf16 autocast) or --mixed-precision."""
        if self.device_name != "cuda":
            raise Skipped(f"bf16 needs CUDA; device is {self.device_name}")
        train = self.modules["train"]
        out = self.scratch / "amp"
        argv = ["--epochs", "1", "--examples", "64", "--batch-size", "16", "--out", str(out)]
        if self.pytorch:
            flag = "--amp"
            argv += ["--device", "cuda", "--amp"]
        else:
            flag = "--mixed-precision"
            argv += ["--mixed-precision"]
        try:
            with contextlib.redirect_stdout(sys.stderr):
                metrics = train.main(argv)
        finally:
            if not self.pytorch:
                keras = self.frameworks["keras"]
                keras.mixed_precision.set_global_policy("float32")
        loss = float(metrics["train_loss"])
        if not math.isfinite(loss):
            raise StepFailed(f"train.py {flag}: the training loss is {loss}")
        return f"train.py {flag}: 1 epoch, train loss {loss:.4f}"

    def check_predict(self):
        numpy = self.frameworks["numpy"]
        if not (self.folder / "predict.py").is_file():
            raise Skipped("no predict.py")
        config, data = self.modules["model"].CONFIG, self.modules["data"]
        x, _ = data.synthetic(config, PREDICT_EXAMPLES, seed=1)
        data_path = self.scratch / "data.npz"
        numpy.savez(data_path, x=x)
        if self.pytorch:
            torch = self.frameworks["torch"]
            model_path = self.scratch / "model.pt"
            torch.save(self.model.state_dict(), model_path)
        else:
            model_path = self.scratch / "model.keras"
            self.model.save(model_path)
        out = self.scratch / "predictions.npy"
        command = [sys.executable, "predict.py", str(data_path), "--model", str(model_path),
                   "--out", str(out)]
        try:
            done = subprocess.run(command, cwd=self.folder, capture_output=True, text=True,
                                  timeout=self.args.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise StepFailed(f"predict.py did not finish within {self.args.timeout}s") from None
        sys.stderr.write(done.stdout + done.stderr)
        if done.returncode != 0:
            failure = _script_failure("predict.py", done.returncode, done.stderr, self.folder)
            raise StepFailed(failure)
        if not out.is_file():
            raise StepFailed(f"predict.py exited 0 but wrote no {out.name}")
        predictions = numpy.load(out)
        outputs, _ = expected_shape(self.spec["mode"], config, x)
        allowed = {"classification": [outputs[:-1]], "regression": [outputs]}.get(
            self.spec["task"], [outputs[:-1], outputs]
        )
        if predictions.shape not in allowed:
            raise StepFailed(
                f"predict.py wrote predictions of shape {predictions.shape} for "
                f"{len(x)} examples, expected {' or '.join(map(str, allowed))}"
            )
        return f"predict.py wrote {predictions.shape[0]} predictions, shape {predictions.shape}"


class Skipped(Exception):
    """A step that does not apply here (its message says why)."""


def _import_framework(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as error:
        missing = (error.name or name).split(".")[0]
        if missing in INSTALL:
            raise StepFailed(missing_framework(missing), "") from None
        raise


def _keras_accelerator(backend: str) -> str:
    """'cuda', 'mps' or 'cpu': where the Keras backend runs its ops by default."""
    if backend == "tensorflow":
        import tensorflow

        if tensorflow.config.list_physical_devices("GPU"):
            return "mps" if sys.platform == "darwin" else "cuda"
        return "cpu"
    if backend == "torch":
        import torch

        if torch.cuda.is_available():
            return "cuda"
        return "mps" if torch.backends.mps.is_available() else "cpu"
    if backend == "jax":
        import jax

        platform = jax.default_backend()
        return {"gpu": "cuda", "cuda": "cuda", "metal": "mps"}.get(platform.lower(), "cpu")
    return "cpu"


def _script_failure(script: str, code: int, stderr: str, folder: Path) -> str:
    """One line for a failed script run: where it failed, or its last words."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    last = lines[-1].strip() if lines else "(no output)"
    where = ""
    for line in reversed(lines):
        match = re.match(r'\s*File "([^"]+)", line (\d+), in (\S+)', line)
        if match and _inside(match.group(1), folder):
            where = f" at {Path(match.group(1)).name} line {match.group(2)} in {match.group(3)}"
            break
    return f"{script} exited {code}{where}: {last}"


def expected_shape(mode: str, config: dict, inputs) -> tuple[tuple[int, ...], str]:
    """The model's output shape for ``inputs`` under ``mode``, and its names."""
    batch = len(inputs)
    if mode in ("one2one", "many2one"):
        return (batch, config["output_size"]), "(batch, output_size)"
    if mode == "many2many":
        return (batch, inputs.shape[1], config["output_size"]), "(batch, time, output_size)"
    return (batch, config["out_len"], config["output_size"]), "(batch, out_len, output_size)"


## Running
def check_folder(folder: Path, args: argparse.Namespace) -> bool:
    """Run every step for ``folder``, emitting one record per step; True if all passed."""
    checker = FolderCheck(folder, args)
    started = time.perf_counter()
    emit(event="begin", folder=str(folder))
    ok = True
    home = os.getcwd()
    os.chdir(folder)
    try:
        for name, file, function in checker.steps():
            emit(event="start", folder=str(folder), step=name, file=file)
            step_started = time.perf_counter()
            status, message, detail = "ok", "", ""
            try:
                message = function()
            except Skipped as skip:
                status, message = "skip", str(skip)
            except StepFailed as failure:
                status, message = "fail", str(failure)
                file = failure.file or file
            except (Exception, SystemExit) as error:  # noqa: BLE001 - the checked code's own
                status = "fail"
                file, message, detail = describe(error, folder, file)
            emit(event="step", folder=str(folder), step=name, file=file, status=status,
                 seconds=round(time.perf_counter() - step_started, 3), message=message,
                 detail=detail)
            if status == "fail":
                ok = False
                break
    finally:
        os.chdir(home)
        _forget(folder, checker)
    emit(event="done", folder=str(folder), ok=ok, device=checker.device_name,
         seconds=round(time.perf_counter() - started, 3), spec=checker.spec)
    return ok


def _forget(folder: Path, checker: FolderCheck) -> None:
    """Unload the folder's modules so that the next folder's model.py is its own."""
    while str(folder) in sys.path:
        sys.path.remove(str(folder))
    for name, module in list(sys.modules.items()):
        if _inside(getattr(module, "__file__", None) or "", folder):
            del sys.modules[name]
    keras = checker.frameworks.get("keras")
    if keras is not None:
        keras.backend.clear_session()
    shutil.rmtree(checker.scratch, ignore_errors=True)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Smoke-test generated rnngen folders.")
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto")
    parser.add_argument("--train-steps", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--scratch", type=Path, help="folder for temporary files")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    # Run as a script, this file's folder (rnngen's package) heads sys.path;
    # the checked code must not see rnngen's modules.
    here = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if entry and Path(entry).resolve() != here]
    sys.stdout = sys.stderr
    results = [check_folder(folder.resolve(), args) for folder in args.folders]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
