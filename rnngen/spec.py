"""The validated, frozen description of one generated project.

``build_spec`` is the only way in: it takes the options a user gave (from the
CLI, a recorded ``.rnngen.json`` or ``update --set``), applies defaults, and
rejects values that are out of range or that do not apply to the chosen mode
and input. Every message names the option and what it accepts.
"""

from __future__ import annotations

import dataclasses
import math
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rnngen.errors import SpecError
from rnngen.modes import CELLS, DECODERS, FRAMEWORKS, INPUTS, MODES, TASKS

CHOICES = {
    "framework": FRAMEWORKS,
    "mode": tuple(MODES),
    "cell": CELLS,
    "input": INPUTS,
    "task": TASKS,
    "decoder": DECODERS,
}

# Inclusive bounds for every integer option; the CLI builds its IntRanges from
# these, so Click and the spec never disagree.
INT_LIMITS = {
    "vocab_size": (2, 10_000_000),
    "embed_dim": (1, 65_536),
    "input_size": (1, 65_536),
    "hidden_size": (1, 65_536),
    "num_layers": (1, 64),
    "output_size": (1, 1_000_000),
    "seq_len": (1, 1_000_000),
    "out_len": (1, 1_000_000),
}

DEFAULTS = {
    "cell": "gru",
    "input": "tokens",
    "vocab_size": 1000,
    "embed_dim": 64,
    "input_size": 8,
    "hidden_size": 128,
    "num_layers": 1,
    "bidirectional": False,
    "dropout": 0.0,
    "task": "classification",
    "output_size": 10,
    "seq_len": 20,
    "decoder": "repeat",
}

# Options that only apply to some inputs or modes: (applies?, why not).
APPLIES = {
    "vocab_size": (lambda o: o["input"] == "tokens", "it applies to --input tokens only"),
    "embed_dim": (lambda o: o["input"] == "tokens", "it applies to --input tokens only"),
    "input_size": (
        lambda o: o["input"] == "features",
        "it applies to --input features only",
    ),
    "out_len": (
        lambda o: o["mode"] in ("one2many", "seq2seq"),
        "it applies to --mode one2many and seq2seq only",
    ),
    "seq_len": (
        lambda o: o["mode"] != "one2many",
        "one2many reads a single step; set the output length with --out-len",
    ),
    "decoder": (lambda o: o["mode"] == "seq2seq", "it applies to --mode seq2seq only"),
}


@dataclass(frozen=True)
class Spec:
    """Everything that decides the generated files. Build it with ``build_spec``.

    Options that do not apply to the mode or input (``vocab_size`` for feature
    input, ``out_len`` outside one2many and seq2seq, ``seq_len`` for one2many,
    ...) are ``None``, and ``to_dict`` leaves them out, so a recorded spec
    always builds again.
    """

    framework: str
    mode: str
    cell: str
    input: str
    vocab_size: int | None
    embed_dim: int | None
    input_size: int | None
    hidden_size: int
    num_layers: int
    bidirectional: bool
    dropout: float
    task: str
    output_size: int
    seq_len: int | None
    out_len: int | None
    decoder: str | None

    def to_dict(self) -> dict[str, Any]:
        """The options that apply, as plain JSON-ready values."""
        return {
            key: value
            for key, value in dataclasses.asdict(self).items()
            if value is not None
        }

    def command(self) -> str:
        """The shortest ``rnngen new`` command line that builds this spec."""
        words = ["rnngen", "new"]
        for key, value in self.to_dict().items():
            flag = "--" + key.replace("_", "-")
            if key == "bidirectional":
                if value:
                    words.append(flag)
            elif key in ("framework", "mode") or value != _default(key, self):
                words += [flag, str(value)]
        return shlex.join(words)

    def replace(self, **changes: Any) -> Spec:
        """A new validated spec with ``changes`` applied (as ``update --set``).

        Options that stop applying because ``mode`` or ``input`` changed are
        dropped unless ``changes`` sets them; so is ``seq_len`` when the mode
        becomes one2one (always 1 there). A ``None`` change resets an option
        to its default.
        """
        options = {**self.to_dict(), **changes}
        probe = {**DEFAULTS, **{k: v for k, v in options.items() if v is not None}}
        for key, (applies, _) in APPLIES.items():
            if key not in changes and not applies(probe):
                options.pop(key, None)
        if probe.get("mode") == "one2one" and "seq_len" not in changes:
            options.pop("seq_len", None)
        return build_spec(options)


def _default(key: str, spec: Spec) -> Any:
    if key == "out_len":
        return spec.seq_len or DEFAULTS["seq_len"]
    if key == "seq_len" and spec.mode == "one2one":
        return 1
    return DEFAULTS.get(key)


def build_spec(options: Mapping[str, Any]) -> Spec:
    """Validate the options a user gave and fill in the defaults.

    Args:
        options: option name (``hidden_size``, ...) to value, holding only the
            options the user set. ``None`` values count as not set.

    Returns:
        The frozen, validated spec. Its strings are rnngen's own choice
        constants and its numbers plain ``int``/``float``/``bool``, whatever
        types came in, so only validated values ever reach a template.

    Raises:
        SpecError: naming the first option that is wrong and what it accepts.
    """
    given = {key: value for key, value in options.items() if value is not None}
    fields = {field.name for field in dataclasses.fields(Spec)}
    unknown = sorted(repr(key) for key in given if key not in fields)
    if unknown:
        raise SpecError(f"unknown option {unknown[0]}; known: {_known(fields)}")
    for key in ("framework", "mode"):
        if key not in given:
            raise SpecError(f"{_flag(key)} is required; choose from {_list(CHOICES[key])}")
    for key, allowed in CHOICES.items():
        if key in given:
            given[key] = _choice(key, given[key], allowed)
    for key in INT_LIMITS:
        if key in given:
            given[key] = _whole_number(key, given[key])
    if "bidirectional" in given:
        if not isinstance(given["bidirectional"], bool):
            raise SpecError(
                f"--bidirectional must be true or false, not {given['bidirectional']!r}"
            )
        given["bidirectional"] = bool(given["bidirectional"])
    if "dropout" in given:
        given["dropout"] = _dropout(given["dropout"])

    values = {**DEFAULTS, **given}
    for key, (applies, why) in APPLIES.items():
        if not applies(values):
            if key in given:
                raise SpecError(f"{_flag(key)} does not apply here: {why}")
            values[key] = None
    if values["mode"] == "one2one":
        if given.get("seq_len", 1) != 1:
            raise SpecError(
                f"--seq-len must be 1 for --mode one2one (one step in), not {given['seq_len']}; "
                "use many2one for longer sequences"
            )
        values["seq_len"] = 1
    if values["mode"] in ("one2many", "seq2seq") and values.get("out_len") is None:
        values["out_len"] = values["seq_len"] or DEFAULTS["seq_len"]
    if values["dropout"] > 0 and values["num_layers"] == 1:
        raise SpecError(
            "--dropout applies between stacked layers; it needs --num-layers 2 or more"
        )
    if values["task"] == "classification" and values["output_size"] < 2:
        raise SpecError(
            "--output-size is the number of classes for classification; it must be at least 2"
        )
    return Spec(**{name: values.get(name) for name in fields})


def _choice(key: str, value: Any, allowed: tuple[str, ...]) -> str:
    """rnngen's own constant for ``value``, so no look-alike string object gets through."""
    for choice in allowed:
        if type(value) is str and value == choice:
            return choice
    raise SpecError(f"{_flag(key)} must be one of {_list(allowed)}, not {value!r}")


def _whole_number(key: str, value: Any) -> int:
    low, high = INT_LIMITS[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{_flag(key)} must be a whole number in {low}..{high}, not {value!r}")
    value = int.__index__(value)
    if not low <= value <= high:
        raise SpecError(f"{_flag(key)} must be in {low}..{high}, not {value}")
    return value


def _dropout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"--dropout must be a number in [0, 1), not {value!r}")
    value = float.__float__(value) if isinstance(value, float) else float(int.__index__(value))
    if not (math.isfinite(value) and 0.0 <= value < 1.0):
        raise SpecError(f"--dropout must be in [0, 1), not {value}")
    return value


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")


def _list(values: tuple[str, ...] | set[str]) -> str:
    return ", ".join(values)


def _known(fields: set[str]) -> str:
    return ", ".join(sorted(_flag(name) for name in fields))
