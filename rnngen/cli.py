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
@_choice_option("decoder", "seq2seq decoder: the encoder state repeated at every step.")
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
