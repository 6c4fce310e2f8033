"""Render a spec's templates into file contents, in memory."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from rnngen.context import template_context
from rnngen.errors import TemplateError
from rnngen.spec import Spec

# Output file -> template, relative to the templates folder; "{framework}"
# picks the framework's own template.
FILES = {
    "model.py": "{framework}/model.py.jinja",
    "data.py": "common/data.py.jinja",
    "train.py": "{framework}/train.py.jinja",
    "predict.py": "{framework}/predict.py.jinja",
    "test_model.py": "{framework}/test_model.py.jinja",
    "README.md": "common/README.md.jinja",
}


def templates_dir() -> Path:
    """The templates folder, for an installed wheel and a source checkout alike.

    A wheel carries the templates inside the package (``rnngen/templates``).
    A source or editable checkout reads the top-level ``templates/`` beside the
    package, so edits to templates show up without reinstalling.
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "common" / "data.py.jinja").is_file():
            return candidate
    raise TemplateError(f"rnngen's templates are missing (looked in {package} and beside it)")


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment: undefined names are errors, never empty strings."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["pyrepr"] = repr
    env.filters["lower_first"] = lambda text: text[:1].lower() + text[1:]
    return env


def render(spec: Spec) -> dict[str, str]:
    """Render every file for ``spec``.

    Returns:
        Output file name to its (not yet formatted) contents.

    Raises:
        TemplateError: naming the template that failed.
    """
    context = template_context(spec)
    files = {}
    for name, template in FILES.items():
        path = template.format(framework=spec.framework)
        try:
            files[name] = environment().get_template(path).render(context)
        except jinja2.TemplateError as error:
            where = getattr(error, "lineno", None)
            at = f" line {where}" if where else ""
            raise TemplateError(f"template {path}{at} failed to render: {error}") from error
    return files
