"""Property tests over the whole option space (hypothesis).

- every valid spec renders, formats idempotently with black and compiles;
- every valid spec survives its record and its command line unchanged;
- every invalid spec raises SpecError naming the option, and ``rnngen new``
  leaves the output folder untouched.

Run with ``--hypothesis-show-statistics`` to see how many cases were tried.
"""

from __future__ import annotations

import json
import math
import shlex
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli import assert_one_line_error, run
from test_writer import snapshot

from rnngen.cli import new
from rnngen.errors import SpecError
from rnngen.formatting import format_python
from rnngen.generate import ANSWERS, generate
from rnngen.modes import CELLS, DECODERS, FRAMEWORKS, INPUTS, MODES, TASKS
from rnngen.spec import APPLIES, CHOICES, DEFAULTS, INT_LIMITS, Spec, build_spec

FIELDS = {field for field in Spec.__dataclass_fields__}


def sizes(key: str) -> st.SearchStrategy[int]:
    low, high = INT_LIMITS[key]
    # Mostly small, as people use them, with the bounds themselves in reach.
    return st.one_of(st.integers(low, min(high, 512)), st.sampled_from([low, high]))


@st.composite
def valid_options(draw) -> dict:
    """Options a user could give: framework and mode, plus any subset that applies."""
    mode = draw(st.sampled_from(tuple(MODES)))
    options = {"framework": draw(st.sampled_from(FRAMEWORKS)), "mode": mode}

    def maybe(key: str, strategy: st.SearchStrategy) -> None:
        if draw(st.booleans()):
            options[key] = draw(strategy)

    maybe("cell", st.sampled_from(CELLS))
    maybe("input", st.sampled_from(INPUTS))
    if options.get("input", "tokens") == "tokens":
        maybe("vocab_size", sizes("vocab_size"))
        maybe("embed_dim", sizes("embed_dim"))
    else:
        maybe("input_size", sizes("input_size"))
    maybe("hidden_size", sizes("hidden_size"))
    maybe("num_layers", sizes("num_layers"))
    maybe("bidirectional", st.booleans())
    if options.get("num_layers", 1) > 1:
        maybe("dropout", st.floats(0, 1, exclude_max=True))
    else:
        maybe("dropout", st.just(0.0))
    maybe("task", st.sampled_from(TASKS))
    low = 2 if options.get("task", "classification") == "classification" else 1
    maybe("output_size", st.integers(low, 512))
    if mode == "one2one":
        maybe("seq_len", st.just(1))
    elif mode != "one2many":
        maybe("seq_len", sizes("seq_len"))
    if mode in ("one2many", "seq2seq"):
        maybe("out_len", sizes("out_len"))
    if mode == "seq2seq":
        maybe("decoder", st.sampled_from(DECODERS))
    return options


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options=valid_options())
def test_every_valid_spec_renders_formats_idempotently_and_compiles(options):
    spec = build_spec(options)
    files = generate(spec)
    for name, text in files.items():
        if name.endswith(".py"):
            assert format_python(name, text) == text, name
            compile(text, name, "exec")
    assert build_spec(json.loads(files[ANSWERS])["spec"]) == spec


@settings(max_examples=500, deadline=None)
@given(options=valid_options())
def test_every_valid_spec_survives_its_record_and_its_command_line(options):
    spec = build_spec(options)
    assert build_spec(json.loads(json.dumps(spec.to_dict()))) == spec
    assert spec.replace() == spec
    params = new.make_context("new", shlex.split(spec.command())[2:]).params
    given_back = {
        key: value
        for key, value in params.items()
        if value is not None and key not in ("out", "answers", "force", "dry_run")
    }
    assert build_spec(given_back) == spec


# Invalid specs: a valid one with one thing broken, and the option the message must name.

JUNK = st.one_of(
    st.text(max_size=8),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)


def flag(key: str) -> str:
    return "--" + key.replace("_", "-")


@st.composite
def invalid_options(draw) -> tuple[dict, str]:
    options = draw(valid_options())
    values = {**DEFAULTS, **options}
    kind = draw(
        st.sampled_from(
            [
                "missing",
                "bad-choice",
                "out-of-range",
                "not-a-number",
                "not-applicable",
                "bad-dropout",
                "dropout-one-layer",
                "seq-len-one2one",
                "one-class",
                "unknown",
            ]
        )
    )
    if kind == "missing":
        key = draw(st.sampled_from(["framework", "mode"]))
        del options[key]
        return options, flag(key)
    if kind == "bad-choice":
        key = draw(st.sampled_from(sorted(CHOICES)))
        options[key] = draw(JUNK.filter(lambda value: value not in CHOICES[key]))
        return options, flag(key)
    applicable = [key for key in INT_LIMITS if key not in APPLIES or APPLIES[key][0](values)]
    if values["mode"] == "one2one":
        applicable.remove("seq_len")
    if kind == "out-of-range":
        key = draw(st.sampled_from(applicable))
        low, high = INT_LIMITS[key]
        options[key] = draw(
            st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1))
        )
        return options, flag(key)
    if kind == "not-a-number":
        key = draw(st.sampled_from(applicable))
        options[key] = draw(JUNK.filter(lambda value: value is not None))
        return options, flag(key)
    if kind == "not-applicable":
        keys = [key for key, (applies, _) in APPLIES.items() if not applies(values)]
        key = draw(st.sampled_from(keys))
        options[key] = (
            "repeat" if key == "decoder" else draw(sizes(key if key != "seq_len" else "out_len"))
        )
        return options, flag(key)
    if kind == "bad-dropout":
        options["num_layers"] = max(2, options.get("num_layers", 2))
        options["dropout"] = draw(
            st.one_of(
                st.floats(max_value=0, exclude_max=True),
                st.floats(min_value=1),
                st.just(math.nan),
                st.text(max_size=4),
            )
        )
        return options, "--dropout"
    if kind == "dropout-one-layer":
        options["num_layers"] = 1
        options["dropout"] = draw(st.floats(0, 1, exclude_min=True, exclude_max=True))
        return options, "--dropout"
    if kind == "seq-len-one2one":
        options["mode"] = "one2one"
        for key in ("seq_len", "out_len", "decoder"):
            options.pop(key, None)
        options["seq_len"] = draw(st.integers(2, 1000))
        return options, "--seq-len"
    if kind == "one-class":
        options["task"] = "classification"
        options["output_size"] = 1
        return options, "--output-size"
    key = draw(st.text(min_size=1, max_size=10).filter(lambda text: text not in FIELDS))
    options[key] = 1
    return options, "unknown option"


@settings(max_examples=300, deadline=None)
@given(case=invalid_options())
def test_every_invalid_spec_raises_spec_error_and_leaves_the_folder_untouched(case):
    options, words = case
    try:
        build_spec(options)
    except SpecError as error:
        assert words in str(error) and "\n" not in str(error)
    else:
        raise AssertionError(f"accepted {options}")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        answers = root / "answers.json"
        answers.write_text(json.dumps({"spec": options}))
        (root / "existing").mkdir()
        (root / "existing" / "model.py").write_text("# the user's\n")
        before = snapshot(root)
        for out in (root / "existing", root / "new"):
            assert_one_line_error(run("new", "--from", answers, "--out", out, "--force"), words)
        assert snapshot(root) == before
