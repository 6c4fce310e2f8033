"""Exceptions raised by rnngen, one subclass per pipeline stage.

The CLI turns every ``RnngenError`` into a one-line message on stderr and exit
code 1; nothing else in rnngen prints a traceback for a user's mistake.
"""


class RnngenError(Exception):
    """Base class for every error rnngen reports to a user."""


class SpecError(RnngenError):
    """An option value is invalid or does not apply to the chosen mode or input."""


class TemplateError(RnngenError):
    """A template failed to render (a bug in rnngen, reported by template name)."""


class FormatError(RnngenError):
    """black rejected rendered code (a bug in rnngen, reported by file name)."""


class WriteError(RnngenError):
    """Files could not be written: they exist already, or the disk refused."""


class UpdateError(RnngenError):
    """A generated folder could not be updated, or the update left conflicts."""


class CheckError(RnngenError):
    """A generated folder failed ``rnngen check``."""
