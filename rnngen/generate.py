"""The pipeline from a spec to file contents, and the record kept beside them.

``generate`` renders and formats every file in memory and adds
``.rnngen.json``: the spec, rnngen's version and a hash of each file, so that
``rnngen new --from`` and ``rnngen update`` can reproduce and compare them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from rnngen import __version__
from rnngen.architecture import layers, param_count
from rnngen.errors import SpecError
from rnngen.formatting import format_files
from rnngen.render import render
from rnngen.spec import Spec, build_spec

ANSWERS = ".rnngen.json"


def generate(spec: Spec) -> dict[str, str]:
    """Every file of the project for ``spec``, formatted, plus ``.rnngen.json``."""
    files = format_files(render(spec))
    files[ANSWERS] = answers_json(spec, files)
    return files


def answers_json(spec: Spec, files: dict[str, str]) -> str:
    """The record of one generation: spec, version and file hashes."""
    record = {
        "rnngen_version": __version__,
        "spec": spec.to_dict(),
        "files": {name: file_hash(text) for name, text in sorted(files.items())},
    }
    return json.dumps(record, indent=2) + "\n"


def file_hash(text: str) -> str:
    """The sha256 of a file's text, as recorded in ``.rnngen.json``."""
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def load_answers(path: Path, label: str = "--from") -> dict:
    """Read a ``.rnngen.json`` record, or raise ``SpecError`` saying what is wrong.

    Args:
        path: the record, or a generated folder holding one.
        label: how messages name where the path came from.
    """
    if path.is_dir():
        path = path / ANSWERS
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{label} {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        # ValueError covers bad JSON and numbers too long for int().
        raise SpecError(f"{label} {path}: not a readable .rnngen.json ({error})") from None
    if not isinstance(record, dict) or not isinstance(record.get("spec"), dict):
        raise SpecError(f"{label} {path}: no 'spec' object in it")
    return record


def spec_from_answers(path: Path, label: str = "--from") -> Spec:
    """The validated spec recorded in ``path`` (a ``.rnngen.json`` or its folder)."""
    spec = load_answers(path, label)["spec"]
    try:
        return build_spec(spec)
    except SpecError as error:
        raise SpecError(f"{label} {path}: {error}") from None


def summary(spec: Spec, out: Path, files: dict[str, str]) -> str:
    """What ``rnngen new`` prints after writing: files, layers and parameters."""
    rows = layers(spec)
    lines = [f"wrote {len(files)} files to {out}: {', '.join(files)}"]
    lines.append(f"{spec.framework} {spec.mode} model, {len(rows)} layers:")
    width = max(len(row.name) for row in rows)
    key = f"{spec.framework}_params"
    for row in rows:
        lines.append(f"  {row.name:<{width}}  {row.kind:<22} {row.output_shape:<24} {getattr(row, key):>12,}")
    lines.append(f"parameters: {param_count(spec):,}")
    lines.append(f"next: cd {out} && python train.py")
    return "\n".join(lines)
