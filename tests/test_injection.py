"""Nothing a user types reaches generated code raw.

Every way in (flags, a ``--from`` record, ``update --set``, Python callers) is
tried with hostile values; each must be refused with the documented error, or,
for look-alike objects, reduced to a plain validated value first.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import json

import pytest
from test_cli import assert_one_line_error, run
from test_writer import snapshot

from rnngen import writer
from rnngen.errors import SpecError
from rnngen.generate import ANSWERS, generate
from rnngen.spec import Spec, build_spec

HOSTILE = {
    "quote": '"; __import__("os").system("echo pwned"); "',
    "triple-quote": "'''\n__import__('os').system('echo pwned')\n'''",
    "newline": "many2one\n__import__('os')",
    "call": "__import__('os').getcwd()",
    "paren": "1); __import__('os'); (1",
    "backslash": '\\"""',
}
FIELDS = [field.name for field in dataclasses.fields(Spec)]
BASE = {"framework": "pytorch", "mode": "many2one"}


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("field", FIELDS)
def test_build_spec_refuses_hostile_strings_naming_the_option(field, value):
    with pytest.raises(SpecError, match=flag(field)):
        build_spec({**BASE, field: value})


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("option", ["--mode", "--cell", "--hidden-size", "--dropout", "--out-len"])
def test_flags_refuse_hostile_values_as_usage_errors(tmp_path, option, value):
    args = ["--framework", "keras", "--mode", "seq2seq", option, value, "--out", tmp_path / "p"]
    result = run("new", *args)
    assert result.exit_code == 2, result.output
    assert snapshot(tmp_path) == {}


@pytest.mark.parametrize("field", FIELDS)
def test_a_hostile_record_is_refused_and_nothing_is_written(tmp_path, field):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"spec": {**BASE, field: HOSTILE["quote"]}}))
    before = snapshot(tmp_path)
    result = run("new", "--from", answers, "--out", tmp_path / "p")
    assert_one_line_error(result, flag(field))
    assert snapshot(tmp_path) == before


@functools.cache
def keras_files() -> dict[str, str]:
    return generate(build_spec({"framework": "keras", "mode": "many2one"}))


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("key", ["mode", "cell", "hidden_size", "dropout", "bidirectional"])
def test_update_set_refuses_hostile_values(tmp_path, key, value):
    out = tmp_path / "p"
    writer.write_project(out, keras_files())
    before = snapshot(out)
    result = run("update", out, "--set", f"{key}={value}")
    assert_one_line_error(result, key)
    assert snapshot(out) == before


class LooksLikeMode(str):
    """Compares equal to everything and prints as code."""

    def __eq__(self, other):
        return True

    __hash__ = str.__hash__

    def __str__(self):
        return "__import__('os')"

    __repr__ = __str__


class SneakyInt(int):
    def __repr__(self):
        return "__import__('os')"

    __str__ = __repr__

    def __format__(self, spec):
        return "__import__('os')"


class SneakyFloat(float):
    def __repr__(self):
        return "__import__('os')"

    __str__ = __repr__


def test_a_string_that_only_pretends_to_be_a_choice_is_refused():
    with pytest.raises(SpecError, match="--mode must be one of"):
        build_spec({"framework": "pytorch", "mode": LooksLikeMode("x")})


def test_number_look_alikes_become_plain_numbers_before_any_template_sees_them():
    spec = build_spec(
        {
            **BASE,
            "hidden_size": SneakyInt(16),
            "num_layers": SneakyInt(2),
            "dropout": SneakyFloat(0.5),
        }
    )
    assert type(spec.hidden_size) is int and type(spec.dropout) is float
    for name, text in generate(spec).items():
        assert "__import__" not in text, name


def test_the_output_folder_name_never_reaches_the_generated_files(tmp_path):
    out = tmp_path / HOSTILE["quote"]
    result = run("new", "--framework", "pytorch", "--mode", "many2one", "--out", out)
    assert result.exit_code == 0, result.output
    for path in out.iterdir():
        assert "__import__" not in path.read_text(), path.name


def config_of(source: str) -> dict:
    """The literal ``CONFIG = {...}`` of a generated module, evaluated safely."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and [target.id for target in node.targets] == ["CONFIG"]:
            return ast.literal_eval(node.value)
    raise AssertionError("no CONFIG block")


@pytest.mark.parametrize("framework", ["pytorch", "keras"])
def test_config_values_are_literals_equal_to_the_spec(framework):
    spec = build_spec(
        {
            "framework": framework,
            "mode": "seq2seq",
            "input": "features",
            "input_size": 5,
            "num_layers": 3,
            "dropout": 0.125,
            "bidirectional": True,
            "out_len": 9,
            "seq_len": 11,
        }
    )
    config = config_of(generate(spec)["model.py"])
    for key, value in spec.to_dict().items():
        if key in config:
            assert config[key] == value and type(config[key]) is type(value), key
    assert json.loads(generate(spec)[ANSWERS])["spec"] == spec.to_dict()
