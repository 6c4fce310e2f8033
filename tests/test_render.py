"""Fast tier: every point of the matrix renders to code black and ruff accept."""

from __future__ import annotations

import io
import subprocess
import sys
import tokenize

import pytest

from conftest import REPO, matrix, spec_for
from rnngen.formatting import format_python
from rnngen.generate import generate
from rnngen.render import render

# Names that the traps in old RNN tutorials use; generated code must never contain them.
FORBIDDEN = (
    "keras.layers.embeddings",
    "input_length",
    "TimeDistributed",
    ".view(",
    "[:,-1]",
)


def code_only(source: str) -> str:
    """The source without comments and string literals."""
    kept = [
        token.string
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type not in (tokenize.COMMENT, tokenize.STRING)
    ]
    return " ".join(kept).replace(" ", "")


@pytest.mark.parametrize("combo", matrix())
def test_renders_black_clean_compiles_and_passes_ruff(combo, tmp_path):
    framework, mode, cell, input_kind, direction = combo
    spec = spec_for(framework, mode, cell, input_kind, direction, num_layers=2, dropout=0.1)
    assert set(render(spec)) | {".rnngen.json"} == set(generate(spec))
    files = generate(spec)
    for name, text in files.items():
        if not name.endswith(".py"):
            continue
        # black leaves the written output unchanged: formatting is idempotent.
        assert format_python(name, text) == text, name
        compile(text, name, "exec")
        code = code_only(text)  # docstrings and comments may name a trap to warn of it
        for trap in FORBIDDEN:
            assert trap not in code, f"{name} contains {trap!r}"
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "F", str(tmp_path)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_black_check_accepts_a_generated_folder(tmp_path):
    spec = spec_for("keras", "seq2seq", "lstm", "tokens", "bi")
    for name, text in generate(spec).items():
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("framework", ["pytorch", "keras"])
def test_generated_files_import_only_framework_numpy_and_stdlib(framework):
    spec = spec_for(framework, "many2one")
    allowed = {"torch", "keras", "numpy", "argparse", "json", "math", "pathlib", "time",
               "data", "model", "train"}
    for name, text in generate(spec).items():
        if not name.endswith(".py"):
            continue
        for line in text.splitlines():
            if line.startswith(("import ", "from ")):
                module = line.split()[1].split(".")[0]
                assert module in allowed, f"{name}: {line}"


def test_model_file_opens_with_command_and_config():
    spec = spec_for("pytorch", "many2many", "gru", "features", "bi")
    model = generate(spec)["model.py"]
    assert spec.command() in model
    assert "\nCONFIG = {\n" in model
    for key in ("input_size", "hidden_size", "num_layers", "bidirectional", "dropout", "output_size"):
        assert f'"{key}":' in model
    assert "# (batch, time, output_size)" in model
