"""What the ``graddescent`` command says: library messages in command-line words, warnings as
one line each.

The library's messages name Python arguments (``max_iter``, ``data_set``) and give Python advice
(``make_pipeline(StandardScaler(), ...)``); :func:`cli_message` says the same with the options
that set them (``--max-iter``, the data file) and the options' advice. :func:`warnings_one_line`
shows every warning (a ConvergenceWarning) on stderr as ``graddescent: warning: ...``.
"""

from __future__ import annotations

import contextlib
import re
import sys
import warnings

__all__ = ["PROG", "cli_message", "warn", "warnings_one_line"]

PROG = "graddescent"

#: Python argument names -> the command-line options that set them (in messages).
_OPTIONS = {"max_iter": "--max-iter", "alpha": "--alpha", "learning_rate": "--alpha",
            "budget_epochs": "--budget-epochs", "budget_seconds": "--budget-seconds",
            "train_fraction": "--train-fraction", "data_train_rate": "--train-fraction",
            "n_jobs": "--jobs", "chunksize": "--chunksize", "epochs": "--epochs",
            "seed": "--seed", "scaling": "--scaling", "style": "--style",
            "budget_rounds": "--budget-rounds", "chunks": "--chunks",
            "weight_column": "--weight-column"}
#: Python advice -> what to do on the command line.
_ADVICE = [
    (re.compile(r"Scale the data \(e\.g\. .*?\) or lower the learning rate( \(alpha\))?\.?"),
     "Scale the data (--scaling variance) or lower the learning rate (--alpha)."),
    (re.compile(r"Scale the data \(e\.g\. make_pipeline\(.*?\)\)\) or lower the learning "
                r"rate\."), "Scale the data (--scaling variance) or lower --alpha."),
    (re.compile(r"\(e\.g\. variance_scaling or StandardScaler, or other units\)"),
     "(other units)"),
    (re.compile(r"\bsep="), "--sep "),
    (re.compile(r", or loosen tol"), ""),  # the command line has no tol
    (re.compile(r"\(e\.g\. with StandardScaler, or use a variance-reduced method\)|e\.g\. with "
                r"StandardScaler, or use a variance-reduced method"),
     "with --scaling variance, or use a variance-reduced method"),
]


def cli_message(text: str, files: dict[str, str] | None = None) -> str:
    """A library message in command-line words: its first line, the Python argument names
    replaced by the options that set them and the data arguments by the files they come
    from (``files``: argument name -> what to say), Python advice by the options' advice."""
    text = str(text).strip().splitlines()[0] if str(text).strip() else ""
    for pattern, advice in _ADVICE:
        text = pattern.sub(advice, text)
    for name, said in (files or {}).items():
        text = re.sub(rf"(?<![\w.-]){re.escape(name)}\b", said, text)
    for name, option in _OPTIONS.items():
        # identifiers with an underscore are unambiguous; plain words only as a setting's name
        after = "" if "_" in name else r"(?=( must| asks| has|=| is| out))"
        text = re.sub(rf"(?<![\w.-]){name}\b{after}", option, text)
    return text


def warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


@contextlib.contextmanager
def warnings_one_line(files: dict[str, str] | None = None):
    """Show every warning raised inside on stderr as one line (the first of its message,
    in command-line words), each distinct one once."""
    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = cli_message(str(message), files)
        if text and text not in seen:
            seen.add(text)
            warn(text)

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        for noise in (ResourceWarning, DeprecationWarning, PendingDeprecationWarning,
                      FutureWarning, ImportWarning):  # the program's, not the user's, concern
            warnings.simplefilter("ignore", noise)
        # matplotlib's layout notes are about drawing, not the user's data
        warnings.filterwarnings("ignore", module="matplotlib")
        warnings.showwarning = show
        yield
