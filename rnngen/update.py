"""``rnngen update``: re-render a generated folder and keep the user's edits.

The folder's ``.rnngen.json`` holds the spec it was generated from and a hash
of every file. For each file of the new render:

- a file the user has not touched (its hash is the recorded one) is replaced;
- a file the user edited is merged three ways: base = the recorded spec
  rendered again, ours = the user's file, theirs = the new render. A clean
  merge is written; a conflicting one is written with conflict markers;
- a file the user deleted stays deleted, and a new file is added.

The base is only trusted when it hashes to what was recorded. When it does not
(rnngen's templates changed since), an edited file is never overwritten: the
new render goes beside it as ``NAME.rnngen-new``. Everything is decided in
memory and written in one atomic step.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnngen import __version__, writer
from rnngen.errors import SpecError, UpdateError
from rnngen.generate import ANSWERS, file_hash, generate, load_answers, spec_from_answers
from rnngen.merge import merge3
from rnngen.spec import CHOICES, Spec

SIDECAR = ".rnngen-new"
# Statuses that leave work for the user; the command exits non-zero on them.
UNRESOLVED = ("conflict", "sidecar")


@dataclass(frozen=True)
class FileUpdate:
    """What an update does to one file."""

    name: str
    status: str  # added, updated, merged, kept, unchanged, deleted, conflict, sidecar
    note: str = ""


@dataclass(frozen=True)
class UpdatePlan:
    """An update worked out in memory: what to write and what to report."""

    folder: Path
    old_spec: Spec
    new_spec: Spec
    recorded_version: str
    files: list[FileUpdate]
    writes: dict[str, str] = field(repr=False)
    warnings: list[str]

    @property
    def unresolved(self) -> list[FileUpdate]:
        """Files that were merged with conflicts or written beside as sidecars."""
        return [item for item in self.files if item.status in UNRESOLVED]


def parse_sets(pairs: Iterable[str]) -> dict[str, Any]:
    """Parse ``--set KEY=VALUE`` pairs into spec changes, typed by the spec's fields.

    ``KEY`` is an option name (``hidden_size`` or ``hidden-size``). Whole
    numbers, numbers, ``true``/``false`` and choice names are accepted as the
    option's type requires.

    Raises:
        UpdateError: naming the key when a pair is malformed, unknown, repeated
            or of the wrong type.
    """
    kinds = _field_kinds()
    changes: dict[str, Any] = {}
    for pair in pairs:
        raw_key, equals, text = pair.partition("=")
        key = raw_key.strip().replace("-", "_")
        if not equals or not key:
            raise UpdateError(f"--set {pair!r}: expected KEY=VALUE, e.g. --set hidden_size=256")
        if key not in kinds:
            known = ", ".join(sorted(kinds))
            raise UpdateError(f"--set {raw_key.strip()}: unknown option; known: {known}")
        if key in changes:
            raise UpdateError(f"--set {key}: given more than once")
        changes[key] = _parse_value(key, text.strip(), kinds[key])
    return changes


def plan_update(folder: Path, changes: Mapping[str, Any]) -> UpdatePlan:
    """Work out an update of ``folder`` with ``changes``, writing nothing.

    Raises:
        UpdateError: ``folder`` is not a generated folder, or its record is damaged.
        SpecError: the recorded spec or the changes are invalid.
    """
    record = _read_record(folder)
    old_spec = spec_from_answers(folder / ANSWERS, "update")
    marked = [name for name in record["files"] if _has_markers(_text_or_none(folder, name))]
    if marked:
        raise UpdateError(
            f"{', '.join(str(folder / name) for name in marked)}: conflict markers from the last "
            "update are still there; resolve them first (nothing was written)"
        )
    try:
        new_spec = old_spec.replace(**changes)
    except SpecError as error:
        raise SpecError(f"--set: {error}") from None
    recorded: dict[str, str] = record["files"]
    version = str(record.get("rnngen_version", "unknown"))
    base = generate(old_spec)
    new = base if new_spec == old_spec else generate(new_spec)

    stale = sorted(
        name
        for name, digest in recorded.items()
        if name != ANSWERS and (name not in base or file_hash(base[name]) != digest)
    )
    warnings = []
    if stale:
        made_by = f"rnngen {version}" if version != __version__ else "a different template set"
        warnings.append(
            f"{folder}/{ANSWERS} was written by {made_by}; rnngen {__version__} no longer "
            f"renders its spec to the same {', '.join(stale)}, so edits to those cannot be "
            f"merged: the new version goes beside them as NAME{SIDECAR}"
        )

    files: list[FileUpdate] = []
    writes: dict[str, str] = {}
    for name, theirs in new.items():
        if name == ANSWERS:
            continue
        trusted_base = base.get(name) if name in recorded and name not in stale else None
        item, text = _update_file(folder, name, recorded.get(name), trusted_base, theirs)
        files.append(item)
        if text is not None:
            writes[name + SIDECAR if item.status == "sidecar" else name] = text
    for name in sorted(set(recorded) - set(new) - {ANSWERS}):
        files.append(FileUpdate(name, "unchanged", "no longer generated; left as it is"))
    if _text_or_none(folder, ANSWERS) != new[ANSWERS]:
        writes[ANSWERS] = new[ANSWERS]
    return UpdatePlan(folder, old_spec, new_spec, version, files, writes, warnings)


def apply_update(plan: UpdatePlan) -> None:
    """Write everything ``plan`` decided, in one atomic step (see ``writer``)."""
    if plan.writes:
        writer.write_project(plan.folder, plan.writes, force=True)


def report(plan: UpdatePlan, dry_run: bool = False) -> str:
    """The lines ``rnngen update`` prints: spec changes, warnings, one line per file."""
    old, new = plan.old_spec.to_dict(), plan.new_spec.to_dict()
    changed = [
        f"{key}: {old.get(key, '-')} -> {new.get(key, '-')}"
        for key in dict.fromkeys([*old, *new])
        if old.get(key) != new.get(key)
    ]
    lines = [f"update {plan.folder}" + (" (dry run)" if dry_run else "")]
    lines.append("spec: " + ("; ".join(changed) if changed else "unchanged"))
    lines += [f"warning: {warning}" for warning in plan.warnings]
    width = max(len(item.status) for item in plan.files)
    for item in plan.files:
        note = f"  ({item.note})" if item.note else ""
        lines.append(f"  {item.status:<{width}}  {item.name}{note}")
    if ANSWERS in plan.writes:
        lines.append(f"  {'record':<{width}}  {ANSWERS}  (new spec and file hashes)")
    if not plan.writes:
        lines.append("already up to date; nothing to write")
    return "\n".join(lines)


def unresolved_message(plan: UpdatePlan, dry_run: bool = False) -> str:
    """The one-line error for an update that left (or would leave) work to do."""
    names = ", ".join(item.name for item in plan.unresolved)
    if dry_run:
        return f"the update would leave conflicts in {names}; nothing was written"
    steps = []
    if any(item.status == "conflict" for item in plan.unresolved):
        steps.append("resolve the <<<<<<< / ======= / >>>>>>> blocks")
    sidecars = [item.name for item in plan.unresolved if item.status == "sidecar"]
    if sidecars:
        pairs = ", ".join(f"{name}{SIDECAR} into {name}" for name in sidecars)
        steps.append(f"merge {pairs} by hand")
    return f"conflicts left in {names}: {' and '.join(steps)}"


def _text_or_none(folder: Path, name: str) -> str | None:
    """The text of ``folder / name``, or ``None`` when it is missing or not UTF-8 text."""
    path = folder / name
    if not path.is_file() or Path(name).is_absolute() or ".." in Path(name).parts:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _update_file(
    folder: Path, name: str, recorded: str | None, base: str | None, theirs: str
) -> tuple[FileUpdate, str | None]:
    """Decide one file; returns its status and the text to write (``None``: leave it)."""
    path = folder / name
    if not path.exists() and not path.is_symlink():
        if recorded is not None:
            return FileUpdate(name, "deleted", "you deleted it; not recreated"), None
        return FileUpdate(name, "added"), theirs
    ours = _text_or_none(folder, name)
    if ours is None:
        return (
            FileUpdate(name, "sidecar", f"not a text file; new version in {name}{SIDECAR}"),
            theirs,
        )
    if ours == theirs:
        return FileUpdate(name, "unchanged"), None
    if recorded is not None and file_hash(ours) == recorded:
        return FileUpdate(name, "updated"), theirs
    if base is None:
        why = "not recorded" if recorded is None else "edited, and the recorded base is unknown"
        return FileUpdate(name, "sidecar", f"{why}; new version in {name}{SIDECAR}"), theirs
    merged = merge3(base, ours, theirs)
    if merged.text == ours:
        return FileUpdate(name, "kept", "your edits; nothing new from rnngen"), None
    if merged.clean:
        return FileUpdate(name, "merged", "your edits and rnngen's, merged cleanly"), merged.text
    count = f"{merged.conflicts} conflict{'s' if merged.conflicts > 1 else ''}"
    return FileUpdate(name, "conflict", f"{count} marked in the file"), merged.text


def _has_markers(text: str | None) -> bool:
    lines = (text or "").splitlines()
    return any(line.startswith("<<<<<<< ") for line in lines) and any(
        line.startswith(">>>>>>> ") for line in lines
    )


def _read_record(folder: Path) -> dict:
    if not folder.exists():
        raise UpdateError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise UpdateError(f"{folder} is a file, not a generated folder")
    if not (folder / ANSWERS).exists():
        raise UpdateError(
            f"{folder} has no {ANSWERS}, so rnngen did not generate it (or it was removed)"
        )
    record = load_answers(folder / ANSWERS, "update")
    files = record.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(name, str) and isinstance(digest, str) for name, digest in files.items()
    ):
        raise UpdateError(f"{folder / ANSWERS}: 'files' must map file names to sha256 hashes")
    return record


def _field_kinds() -> dict[str, type]:
    """Spec field -> the plain type its values have (``int | None`` -> ``int``)."""
    kinds = {}
    for name, hint in typing.get_type_hints(Spec).items():
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        kinds[name] = args[0] if args else hint
    return kinds


def _parse_value(key: str, text: str, kind: type) -> Any:
    if not text:
        raise UpdateError(f"--set {key}: needs a value, e.g. --set {key}=...")
    if kind is bool:
        if text.lower() not in ("true", "false"):
            raise UpdateError(f"--set {key}: takes true or false, not {text!r}")
        return text.lower() == "true"
    if kind is int:
        if not re.fullmatch(r"[+-]?[0-9]{1,18}", text):
            raise UpdateError(f"--set {key}: takes a whole number, not {text!r}")
        return int(text)
    if kind is float:
        try:
            return float(text)
        except ValueError:
            raise UpdateError(f"--set {key}: takes a number, not {text!r}") from None
    if key in CHOICES and text not in CHOICES[key]:
        raise UpdateError(f"--set {key}: takes one of {', '.join(CHOICES[key])}, not {text!r}")
    return text
