"""The ``rnngen`` command line: parse options and call the pipeline.

Nothing here renders or touches files itself, and no framework is imported on
this path: ``rnngen --help`` and ``rnngen new`` stay fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from rnngen import __version__
from rnngen.errors import RnngenError
from rnngen.modes import MODES
from rnngen.spec import CHOICES, DEFAULTS, INT_LIMITS

EXAMPLES = """\b
Examples:
  rnngen new --mode many2one --framework keras
  rnngen new --mode seq2seq --framework pytorch --cell lstm --bidirectional
  rnngen new --mode many2many --framework pytorch --input features --input-size 16
  rnngen new --from many2one-keras/.rnngen.json --out copy --dry-run
  rnngen update many2one-keras --set hidden_size=256 --set cell=lstm
  rnngen check many2one-keras
  rnngen list
"""


class RnngenGroup(click.Group):
    """Turns every ``RnngenError`` into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RnngenError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(1)


@click.group(cls=RnngenGroup, epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rnngen")
def main() -> None:
    """Generate a standalone GRU/LSTM/RNN project for PyTorch or Keras 3."""


def _int_option(name: str, help_text: str):
    low, high = INT_LIMITS[name.replace("-", "_")]
    default = DEFAULTS.get(name.replace("-", "_"))
    shown = f" [default: {default}]" if default is not None else ""
    return click.option(f"--{name}", type=click.IntRange(low, high), help=help_text + shown)


def _choice_option(name: str, help_text: str, required_note: str = ""):
    default = DEFAULTS.get(name)
    shown = f" [default: {default}]" if default is not None else required_note
    return click.option(f"--{name}", type=click.Choice(CHOICES[name]), help=help_text + shown)


@main.command(epilog=EXAMPLES)
@_choice_option("framework", "Framework of the generated code.", " [required]")
@_choice_option("mode", "Sequence mode (see `rnngen list`).", " [required]")
@_choice_option("cell", "Recurrent cell.")
@_choice_option("input", "Token ids through an embedding, or float features.")
@_int_option("vocab-size", "Vocabulary size, padding id 0 included (tokens).")
@_int_option("embed-dim", "Embedding width (tokens).")
@_int_option("input-size", "Features per step (features).")
@_int_option("hidden-size", "Units per recurrent layer and direction.")
@_int_option("num-layers", "Stacked recurrent layers.")
@click.option("--bidirectional/--unidirectional", default=None, help="Read sequences both ways. [default: unidirectional]")
@click.option("--dropout", type=click.FloatRange(0, 1, max_open=True), help="Dropout between stacked layers, in [0, 1). [default: 0.0]")
@_choice_option("task", "Classification (logits, cross-entropy) or regression (linear, MSE).")
@_int_option("output-size", "Classes, or regression targets.")
@_int_option("seq-len", "Input steps (1 for one2one; not for one2many).")
@_int_option("out-len", "Output steps for one2many and seq2seq. [default: seq-len]")
@_choice_option("decoder", "seq2seq decoder: repeat (the encoder state fed at every step) or "
                "teacher-forcing (trained on the shifted targets, decodes greedily).")
@click.option("--out", "out", type=click.Path(path_type=Path), help="Output folder. [default: ./<mode>-<framework>]")
@click.option("--from", "answers", type=click.Path(path_type=Path), help="Regenerate from a recorded .rnngen.json (other options override it).")
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
@click.option("--dry-run", is_flag=True, help="Show what would be written, with diffs; write nothing.")
def new(out: Path | None, answers: Path | None, force: bool, dry_run: bool, **options) -> None:
    """Write a new project folder: model, data, train, predict, test and README."""
    from rnngen import generate, writer
    from rnngen.spec import build_spec

    given = {key: value for key, value in options.items() if value is not None}
    if answers is not None:
        spec = generate.spec_from_answers(answers)
        if given:
            spec = spec.replace(**given)
    else:
        for key in ("framework", "mode"):
            if key not in given:
                raise click.UsageError(f"Missing option '--{key}' (or give --from FILE).")
        spec = build_spec(given)
    out = out if out is not None else Path(f"{spec.mode}-{spec.framework}")
    files = generate.generate(spec)
    if dry_run:
        for item in writer.plan(out, files):
            click.echo(f"{item.status:>9}  {out / item.name}  ({item.size:,} bytes)")
            if item.diff:
                click.echo(item.diff, nl=False)
        click.echo("dry run: nothing was written")
        return
    writer.write_project(out, files, force=force)
    click.echo(generate.summary(spec, out, files))


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Change one option, e.g. --set hidden_size=256 (repeatable).")
@click.option("--dry-run", is_flag=True, help="Show what would change, with diffs; write nothing.")
def update(folder: Path, sets: tuple[str, ...], dry_run: bool) -> None:
    """Re-render FOLDER from its .rnngen.json plus --set changes, keeping your edits.

    Files you have not touched are replaced; files you edited are merged three
    ways. Conflicts are written with <<<<<<< markers and the command exits 1.
    """
    from rnngen import update as updating
    from rnngen import writer
    from rnngen.errors import UpdateError

    plan = updating.plan_update(folder, updating.parse_sets(sets))
    if dry_run:
        click.echo(updating.report(plan, dry_run=True))
        for item in writer.plan(folder, plan.writes):
            if item.diff:
                click.echo(item.diff, nl=False)
        click.echo("dry run: nothing was written")
    else:
        updating.apply_update(plan)
        click.echo(updating.report(plan))
    if plan.unresolved:
        raise UpdateError(updating.unresolved_message(plan, dry_run=dry_run))


@main.command(name="list")
def list_modes() -> None:
    """Show every framework x mode with what it is for and its shapes."""
    frameworks = ", ".join(CHOICES["framework"])
    click.echo(f"frameworks: {frameworks} (every mode in each)")
    click.echo("B batch, T steps in, T_out steps out, F features, C classes or targets\n")
    header = ("mode", "for", "tokens in", "features in", "out")
    rows = [header] + [
        (mode.name, mode.purpose, mode.tokens_in, mode.features_in, mode.out)
        for mode in MODES.values()
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


CHECK_EXAMPLES = """\b
Examples:
  rnngen check many2one-pytorch
  rnngen check many2one-pytorch --device cuda --report check.json
  rnngen check many2one-keras --python .venv/bin/python
  rnngen check --matrix -j 4
  rnngen check --matrix --framework pytorch --mode seq2seq --cell gru --cell lstm
"""


def _matrix_option(name: str, default: str):
    return click.option(
        f"--{name}", f"{name}s", multiple=True, type=click.Choice(CHOICES[name]),
        help=f"(--matrix) Only this {name}; repeat for more. [default: {default}]",
    )


@main.command(epilog=CHECK_EXAMPLES)
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@click.option("--matrix", is_flag=True,
              help="Generate every framework x mode into a temporary folder and check each.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default="auto",
              help="Where to build and train; auto picks CUDA, then MPS, then the CPU. "
                   "[default: auto]")
@click.option("--train-steps", type=click.IntRange(1, 10_000), default=3,
              help="Training steps on synthetic data. [default: 3]")
@click.option("--timeout", type=click.IntRange(1, 86_400), default=300,
              help="Seconds allowed per folder. [default: 300]")
@click.option("--python", "python", type=click.Path(dir_okay=False, path_type=Path),
              help="The Python that runs the generated code; it needs the framework. "
                   "[default: the one running rnngen]")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the results to this JSON file, for CI.")
@_matrix_option("framework", "all")
@_matrix_option("mode", "all")
@_matrix_option("cell", CHOICES["cell"][0])
@_matrix_option("input", CHOICES["input"][0])
@_matrix_option("task", CHOICES["task"][0])
@click.option("-j", "--jobs", type=click.IntRange(1, 256),
              help="(--matrix) Check processes run at once. [default: number of CPUs]")
@click.option("--keep", is_flag=True,
              help="(--matrix) Keep the generated folders and say where they are.")
def check(folder: Path | None, matrix: bool, device: str, train_steps: int, timeout: int,
          python: Path | None, report: Path | None, jobs: int | None, keep: bool,
          **subsets: tuple[str, ...]) -> None:
    """Smoke-test a generated FOLDER: build, shapes, training steps, predict.py.

    The checks run in a subprocess on FOLDER's own files, so this also works
    in a project's CI without rnngen's test suite. On failure it exits with 1,
    naming the step and the file to look at.
    """
    from rnngen import check as checking

    matrix_only = [f"--{name.removesuffix('s')}" for name, values in subsets.items() if values]
    if jobs is not None:
        matrix_only.append("-j")
    if keep:
        matrix_only.append("--keep")
    if matrix and folder is not None:
        raise click.UsageError("Give a FOLDER or --matrix, not both.")
    if not matrix and folder is None:
        raise click.UsageError("Missing FOLDER (or give --matrix).")
    if not matrix and matrix_only:
        raise click.UsageError(f"{matrix_only[0]} applies to --matrix only.")
    options = checking.make_options(device, train_steps, timeout, python=python, jobs=jobs)
    if matrix:
        cases = checking.matrix_cases(**subsets)
        checking.run_matrix(cases, options, click.echo, report=report, keep=keep)
    else:
        checking.run_folder(folder, options, click.echo, report=report)
