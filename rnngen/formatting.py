"""Format generated Python with black, behind one function.

black promises no stable Python API, so this is the only module that imports it.
"""

from __future__ import annotations

import black

from rnngen.errors import FormatError

MODE = black.Mode()


def format_python(name: str, source: str) -> str:
    """Return ``source`` formatted by black.

    Raises:
        FormatError: naming ``name`` when black cannot parse the source.
    """
    try:
        return black.format_str(source, mode=MODE)
    except black.InvalidInput as error:
        raise FormatError(f"generated {name} is not valid Python: {error}") from error


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Format every ``.py`` file in ``files``; other files pass through unchanged."""
    return {
        name: format_python(name, text) if name.endswith(".py") else text
        for name, text in files.items()
    }
