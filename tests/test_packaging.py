"""The installed tool: console script, python -m, no framework imports, the wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from conftest import REPO

FRAMEWORKS = ("torch", "tensorflow", "keras", "jax")


def _imported_frameworks(args, cwd):
    """Run the CLI in a fresh interpreter and list the framework modules it imported."""
    code = (
        "import sys\n"
        "from rnngen.cli import main\n"
        f"sys.argv = ['rnngen', *{list(args)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})\n"
        "print('LOADED=' + ','.join(loaded))\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.rsplit("LOADED=", 1)[1].strip()


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["list"],
        ["new", "--mode", "many2one", "--framework", "keras"],
        ["new", "--mode", "seq2seq", "--framework", "pytorch", "--cell", "lstm"],
    ],
    ids=["help", "list", "new-keras", "new-pytorch"],
)
def test_cli_never_imports_a_framework(args, tmp_path):
    assert _imported_frameworks(args, tmp_path) == ""


def test_python_dash_m_and_version():
    result = subprocess.run([sys.executable, "-m", "rnngen", "--version"], capture_output=True,
                            text=True)
    assert result.returncode == 0
    from rnngen import __version__

    assert result.stdout.strip() == f"rnngen, version {__version__}"


def test_console_script_writes_a_project(tmp_path):
    script = Path(sys.executable).with_name("rnngen")
    result = subprocess.run([str(script), "new", "--mode", "many2one", "--framework", "keras"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "many2one-keras" / "model.py").is_file()
    assert "parameters:" in result.stdout


@pytest.mark.slow
def test_wheel_installed_outside_the_checkout_generates_the_same_files(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(REPO)],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("rnngen-*.whl")

    # A fresh environment: rnngen comes only from the wheel; its dependencies
    # (click, jinja2, black) are borrowed from this interpreter's site-packages
    # through a plain path entry, which does not pull in the editable install.
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    Path(purelib, "borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
         str(wheel)],
        capture_output=True, text=True,
    )
    assert install.returncode == 0, install.stderr

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    where = subprocess.run(
        [str(python), "-c", "import rnngen.render as r; print(r.templates_dir())"],
        cwd=outside, capture_output=True, text=True, env=env,
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(purelib), where.stdout

    args = ["new", "--mode", "seq2seq", "--framework", "keras", "--cell", "lstm", "--out"]
    from_wheel = subprocess.run([str(env_dir / "bin" / "rnngen"), *args, "wheel"],
                                cwd=outside, capture_output=True, text=True, env=env)
    assert from_wheel.returncode == 0, from_wheel.stderr
    from_checkout = subprocess.run([sys.executable, "-m", "rnngen", *args, "checkout"],
                                   cwd=outside, capture_output=True, text=True)
    assert from_checkout.returncode == 0, from_checkout.stderr
    wheel_files = sorted(p.name for p in (outside / "wheel").iterdir())
    assert wheel_files == sorted(p.name for p in (outside / "checkout").iterdir())
    for name in wheel_files:
        assert (outside / "wheel" / name).read_bytes() == (outside / "checkout" / name).read_bytes()
    shutil.rmtree(dist)
