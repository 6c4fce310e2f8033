"""Write a rendered project to disk all at once, or not at all.

Files are staged in a temporary folder on the same filesystem as the target
and moved into place with renames. Any failure, Ctrl-C included, leaves the
disk as it was: new folders are never half-written and replaced files are
restored from their backups.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rnngen.errors import WriteError


@dataclass(frozen=True)
class Planned:
    """What writing one file would do."""

    name: str
    size: int
    status: str  # "new", "unchanged" or "changed"
    diff: str  # unified diff against the existing file, "" unless changed


def plan(out: Path, files: dict[str, str]) -> list[Planned]:
    """Compare ``files`` with what is in ``out`` now, without writing anything."""
    _check_target(out, files)
    planned = []
    for name, text in files.items():
        target = out / name
        size = len(text.encode())
        if not os.path.lexists(target):
            planned.append(Planned(name, size, "new", ""))
            continue
        old = _read_text(target)
        if old == text:
            planned.append(Planned(name, size, "unchanged", ""))
            continue
        diff = "".join(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{target} (existing)",
                tofile=f"{target} (generated)",
            )
        )
        planned.append(Planned(name, size, "changed", diff))
    return planned


def write_project(out: Path, files: dict[str, str], force: bool = False) -> list[Path]:
    """Write ``files`` (name -> text) into the folder ``out``, atomically.

    Args:
        out: the project folder; created with any missing parents.
        files: file names relative to ``out`` and their contents.
        force: replace files that exist already; without it, any existing
            file makes the whole write refuse.

    Returns:
        The paths written.

    Raises:
        WriteError: ``out`` is a file, files exist and ``force`` is off, or
            the disk refused; nothing on disk has changed.
    """
    _check_target(out, files)
    existing = sorted(name for name in files if os.path.lexists(out / name))
    if existing and not force:
        raise WriteError(
            f"{out} already has {', '.join(existing)}; nothing was written "
            "(pass --force to overwrite, or --dry-run to see the differences)"
        )
    try:
        if os.path.lexists(out):
            _replace_files(out, files)
        else:
            _create_folder(out, files)
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        raise WriteError(
            f"could not write {out}: {error.strerror or error}{where}; nothing was changed"
        ) from error
    return [out / name for name in files]


def _check_target(out: Path, files: dict[str, str]) -> None:
    for path in (out, *out.parents):
        if path.exists() and not path.is_dir():
            raise WriteError(f"--out {out}: {path} is a file, not a folder")
    for name in files:
        target = out / name
        if os.path.lexists(target) and not (target.is_symlink() or target.is_file()):
            raise WriteError(
                f"{target} is a folder or special file, not a file; nothing was written"
            )


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise WriteError(f"cannot read the existing {path}: {error}") from error


def _stage(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())


def _create_folder(out: Path, files: dict[str, str]) -> None:
    """Build the whole tree beside its nearest existing ancestor, then rename it in."""
    # resolve() also settles "..", so the folder renamed in is the one asked for.
    out = out.resolve()
    anchor = next(parent for parent in out.parents if parent.exists())
    top = anchor / out.relative_to(anchor).parts[0]
    staging = Path(tempfile.mkdtemp(prefix=".rnngen-", dir=anchor))
    try:
        built = staging / out.relative_to(anchor)
        built.mkdir(parents=True)
        _stage(built, files)
        os.rename(staging / top.name, top)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace_files(out: Path, files: dict[str, str]) -> None:
    """Swap files into an existing folder, restoring every original on failure.

    Each original is moved into a backup folder before its replacement moves
    in; both are renames within one filesystem. If anything fails, Ctrl-C
    included, the originals are moved back. If even that fails, the backups
    are kept and the error says where they are.
    """
    staging = Path(tempfile.mkdtemp(prefix=".rnngen-", dir=out))
    new, backups = staging / "new", staging / "backup"
    existed = {name: os.path.lexists(out / name) for name in files}
    started: list[str] = []
    keep_staging = False
    try:
        _stage(new, files)
        for name in files:
            target = out / name
            # Recorded before the first rename so an interrupt at any point is undone.
            started.append(name)
            if existed[name]:
                (backups / name).parent.mkdir(parents=True, exist_ok=True)
                if not target.is_symlink():
                    shutil.copymode(target, new / name)  # keep an executable bit
                os.replace(target, backups / name)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(new / name, target)
    except BaseException as error:
        failed = _restore(out, backups, started, existed)
        if failed:
            keep_staging = True
            raise WriteError(
                f"writing {out} failed ({error!r}) and {', '.join(failed)} could not be "
                f"restored; the originals are in {backups}"
            ) from error
        raise
    finally:
        if not keep_staging:
            shutil.rmtree(staging, ignore_errors=True)


def _restore(out: Path, backups: Path, names: list[str], existed: dict[str, bool]) -> list[str]:
    """Put back the originals of ``names``; return the names that could not be."""
    failed = []
    for name in reversed(names):
        target, backup = out / name, backups / name
        try:
            if existed[name]:
                if os.path.lexists(backup):
                    os.replace(backup, target)
            elif os.path.lexists(target):
                target.unlink()
        except OSError:
            failed.append(name)
    return failed
