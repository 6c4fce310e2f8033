"""The choices rnngen offers, and what each sequence mode means.

Plain data only: the CLI imports this module, so it must stay free of any
framework import.
"""

from dataclasses import dataclass

FRAMEWORKS = ("pytorch", "keras")
CELLS = ("gru", "lstm", "rnn")
INPUTS = ("tokens", "features")
TASKS = ("classification", "regression")
DECODERS = ("repeat", "teacher-forcing")


@dataclass(frozen=True)
class Mode:
    """One sequence mode: its name, what it is for and its tensor shapes."""

    name: str
    purpose: str
    tokens_in: str
    features_in: str
    out: str


MODES = {
    mode.name: mode
    for mode in (
        Mode(
            "one2one",
            "one step in, one prediction out (a baseline)",
            "(B, 1)",
            "(B, 1, F)",
            "(B, C)",
        ),
        Mode(
            "one2many",
            "one item in, a sequence out (captioning, generation)",
            "(B,)",
            "(B, F)",
            "(B, T_out, C)",
        ),
        Mode(
            "many2one",
            "a sequence in, one prediction out (sentiment, forecasting)",
            "(B, T)",
            "(B, T, F)",
            "(B, C)",
        ),
        Mode(
            "many2many",
            "a prediction for every step (tagging, denoising)",
            "(B, T)",
            "(B, T, F)",
            "(B, T, C)",
        ),
        Mode(
            "seq2seq",
            "encoder-decoder: a sequence in, another length out",
            "(B, T)",
            "(B, T, F)",
            "(B, T_out, C)",
        ),
    )
}
