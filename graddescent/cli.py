"""The ``graddescent`` command (also ``python -m graddescent``).

``graddescent compare``
    Every method on the built-in data sets over several seeds: prints a table per data set and
    writes ``results.csv``, ``report.md`` and PNG figures (see :mod:`graddescent.compare`).
``graddescent fit DATA.csv --method rmsprop``
    The R workflow on your file (split, scale, learn, predict, RMSE): prints the coefficients
    in original units and the RMSE; ``--predict NEW.csv`` writes predictions.

Errors in the user's data (missing file, empty file, no header row, non-numeric column,
missing values, values too large for float64), settings that ask for more work or memory than
one run may use, and diverging fits end with a one-line message on stderr and exit code 1, as
does ``compare`` when every fit failed (its rows are still written); usage errors (including
``--jobs 0``, ``--seed -1``, ``--alpha inf`` and a ``--plot`` file type matplotlib cannot write)
exit with code 2 (argparse) and name the option. Messages name the command-line options, not
the Python arguments behind them.

Warnings (a ConvergenceWarning, a fit far from the least-squares reference that the command
computes anyway) are printed on stderr, one line each (``graddescent: warning: ...``).

No input file is ever written: ``--out``, ``--output`` and ``--plot`` are refused when they
name one; an earlier report in ``--out``, or an existing ``--output``/``--plot`` file, is
refused unless ``--overwrite`` is given (then a report is replaced whole).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from . import _cli_spec as spec
from ._outputs import OutputError, check_target
from ._validation import (
    MAX_ITERATIONS,
    check_int,
    check_interval,
    check_iterations,
    check_jobs,
    check_positive,
    check_real,
)
from .cli_messages import PROG, cli_message, warn, warnings_one_line

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# The modules the commands run on (numba's kernels, pandas), imported by _load_commands() once
# the arguments are parsed: the parser is built from _cli_spec's plain data, so that --help and
# usage errors take a fraction of a second.
np: Any = None
pd: Any = None
C: Any = None
report: Any = None
METHODS: Any = None
DATASETS: Any = None
check_header: Any = None


def _load_commands() -> None:
    global np, pd, C, report, METHODS, DATASETS, check_header
    import numpy as np
    import pandas as pd

    from . import compare as C
    from . import report
    from ._registry import METHODS
    from ._validation import check_header
    from .datasets import DATASETS

__all__ = ["main", "build_parser"]



class UserError(Exception):
    """An error in the user's input: reported in one line, exit code 1."""


def _method_list() -> str:
    return ", ".join(f"{name} ({r_name})" if r_name else name for name, r_name in spec.METHODS)


def _method_name(value: str) -> str:
    try:
        return spec.method_name(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _checked(check: Callable[..., Any], **bounds: Any) -> Callable[[str], Any]:
    """An argparse ``type``: the text read as a number, then ``check("value", number,
    **bounds)``, the same check the Python API runs on that setting."""

    def parse(text: str) -> Any:
        try:
            number: int | float = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        try:
            return check("value", number, **bounds)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None

    return parse


_positive_int = _checked(check_int, low=1)
_iterations = _checked(check_iterations)
_seed = _checked(check_int, low=0)
_fraction = _checked(check_interval, low=0.0, high=1.0, closed="neither")
_positive_float = _checked(check_positive)
_epochs_budget = _checked(check_real, ok=lambda v: 0 < v <= MAX_ITERATIONS,
                          expected=f"be a positive number of epochs, at most {MAX_ITERATIONS:.0e}")
_jobs = _checked(check_jobs)


def _separator(text: str) -> str:
    """An argparse ``type``: one character (``\\t`` or ``tab`` for a tab)."""
    sep = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(text, text)
    if len(sep) != 1 or sep in "\"\n\r" or sep.isalnum() or sep == ".":
        raise argparse.ArgumentTypeError(f"expected one separator character such as ';' or "
                                         f"'\\t' (tab), got {text!r}")
    return sep

def _figure_path(value: str) -> str:
    """An argparse ``type``: a file name whose extension matplotlib can write."""
    from matplotlib.figure import Figure

    kinds = Figure().canvas.get_supported_filetypes()
    suffix = Path(value).suffix.lower().lstrip(".")
    if suffix not in kinds:
        raise argparse.ArgumentTypeError(
            f"cannot draw into {value!r}: use a file name ending in one of "
            f"{', '.join('.' + k for k in sorted(kinds))}")
    return value


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scaling", choices=list(spec.SCALINGS), default="variance",
                   help="scaling of the training data, output included, as R's learn() "
                        "(default: %(default)s)")
    p.add_argument("--style", choices=list(spec.STYLES), default=None,
                   help="'r': the R learners with R's defaults and --max-iter R iterations "
                        "(steps, or outer loops for SSGD, SVRG, SARAH, SARAHPlus); "
                        "'estimator': GDRegressor with its defaults (learning_rate='auto', "
                        "--max-iter epochs, stops on tol) (default: r)")
    p.add_argument("--sep", type=_separator, default=",", metavar="CHAR",
                   help="the CSV files' separator, e.g. ';' or '\\t' for a tab (default: "
                        "',')")
    p.add_argument("--overwrite", action="store_true",
                   help="replace earlier output (a report in --out is replaced whole); input "
                        "files are never written")
    p.add_argument("--max-iter", type=_iterations, default=None, metavar="N",
                   help=f"R iterations (style r, default {spec.DEFAULT_MAX_ITER}) or epochs (style "
                        f"estimator, default GDRegressor's max_iter=None: at most 10000 epochs "
                        f"when the gradient is exact, 1000000 when it is sampled, stopping "
                        f"earlier on tol)")
    p.add_argument("--alpha", "--learning-rate", dest="learning_rate", type=_positive_float,
                   default=None, metavar="RATE",
                   help=f"learning rate (style r: R's alpha, default "
                        f"{spec.ALPHA}; style estimator: default 'auto')")
    p.add_argument("--train-fraction", type=_fraction, default=None,
                   metavar="F", help=f"fraction of the rows used for training "
                                     f"(default: {spec.TRAIN_FRACTION})")


_nonnegative = _checked(check_real, ok=lambda v: math.isfinite(v) and v >= 0,
                        expected="be a finite number >= 0")
_ratio = _checked(check_interval, low=0.0, high=1.0)


def _penalty_choices() -> dict[str, str | None]:
    """``--penalty`` choices (the penalties' labels: ``none`` for None) -> the penalty."""
    return dict(spec.PENALTIES)


def _add_problem(p: argparse.ArgumentParser) -> None:
    """The problem's options: the loss and the penalty (scikit-learn's names and scaling)."""
    g = p.add_argument_group(
        "the problem (what every fit minimises; default: plain least squares)",
        "The objective is 1/n sum_i loss(residual_i) + S (R ||w||_1 + (1 - R)/2 ||w||^2) with "
        "S = --penalty-strength and R = --l1-ratio, the intercept never penalised: "
        "scikit-learn's scaling (SGDRegressor's, Lasso's and ElasticNet's alpha is S; Ridge's "
        "alpha is n S). S is not --alpha, which is R's name for the learning rate.")
    g.add_argument("--loss", choices=list(spec.LOSSES), default="squared_error",
                   help="loss of the residuals, SGDRegressor's definitions (default: "
                        "%(default)s)")
    g.add_argument("--epsilon", type=_nonnegative, default=None, metavar="E",
                   help=f"threshold of the huber and epsilon-insensitive losses (default: "
                        f"{spec.PROBLEM_DEFAULTS['epsilon']})")
    g.add_argument("--penalty", choices=list(_penalty_choices()), default="none",
                   help="penalty of the coefficients (default: %(default)s)")
    g.add_argument("--penalty-strength", type=_nonnegative, default=None, metavar="S",
                   help=f"strength of --penalty, scikit-learn's alpha (default: "
                        f"{spec.PROBLEM_DEFAULTS['alpha']})")
    g.add_argument("--l1-ratio", type=_ratio, default=None, metavar="R",
                   help=f"elasticnet's share of the L1 part, in [0, 1] (default: "
                        f"{spec.PROBLEM_DEFAULTS['l1_ratio']})")
    g.add_argument("--no-intercept", action="store_true",
                   help="fit through the origin of the scaled data (the intercept stays 0; with "
                        "--scaling none: of the original units)")


def _problem(args: argparse.Namespace):
    """The Problem the options ask for, or None for plain least squares (R's learners as they
    are); options that would be ignored are refused."""
    from .problems import LOSSES, PENALTIES, Problem

    penalty = _penalty_choices()[args.penalty]
    if args.epsilon is not None and not LOSSES[args.loss].uses_epsilon:
        with_epsilon = ", ".join(k for k, s in LOSSES.items() if s.uses_epsilon)
        raise UserError(f"--epsilon is the threshold of the {with_epsilon} losses; --loss "
                        f"{args.loss} has none")
    if args.penalty_strength is not None and penalty is None:
        raise UserError(f"--penalty-strength needs --penalty "
                        f"{' or '.join(k for k in PENALTIES if k is not None)}")
    if args.l1_ratio is not None and not PENALTIES[penalty].uses_l1_ratio:
        mixed = " or ".join(str(k) for k, s in PENALTIES.items() if s.uses_l1_ratio)
        raise UserError(f"--l1-ratio is the elastic net's mixing: give --penalty {mixed}")
    kwargs = {"epsilon": args.epsilon, "alpha": args.penalty_strength,
              "l1_ratio": args.l1_ratio}
    problem = Problem(args.loss, penalty=penalty, fit_intercept=not args.no_intercept,
                      **{k: v for k, v in kwargs.items() if v is not None})
    return None if problem.is_least_squares else problem


def _check_method_runs(method: str, problem) -> None:
    """A one-line error (options named, not Python arguments) when ``method`` cannot minimise
    ``problem``, naming the methods that can."""
    from .budget import refusal

    if problem is None:
        return
    why = refusal(method, problem)
    if why:
        able = [m for m in METHODS if not refusal(m, problem)]
        raise UserError(f"--method {method} cannot minimise {C.describe_problem(problem)}: "
                        f"{why}; methods that can: {', '.join(able)}")


def _problem_kwargs(problem) -> dict[str, Any]:
    """GDRegressor's parameters of ``problem`` (none for least squares)."""
    if problem is None:
        return {}
    return {"loss": problem.loss, "epsilon": problem.epsilon, "penalty": problem.penalty,
            "alpha": problem.alpha, "l1_ratio": problem.l1_ratio,
            "fit_intercept": problem.fit_intercept}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``graddescent`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Gradient-descent methods for linear regression (a port of R "
                    "gradDescent 3.0): compare the methods, or fit one on your CSV file.",
        epilog="Run 'graddescent COMMAND --help' for a command's options.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    cmp_ = sub.add_parser(
        "compare", help="compare every method on the built-in data sets (the main job)",
        description="Run every method on each data set with a held-out split, repeated over "
                    "several seeds; print a table per data set (test RMSE median and IQR, "
                    "train RMSE, ratio to the least-squares fit's test RMSE, updates, seconds) "
                    "and write results.csv, report.md and PNG figures into --out.",
        epilog="Methods: " + _method_list() + ". 'updates' counts coefficient updates: steps, "
               "and the inner steps of SSGD, SVRG, SARAH and SARAHPlus. Parallel runs use "
               "joblib; a Dask cluster can run the same grid through joblib's dask backend "
               "(see graddescent.compare).")
    cmp_.add_argument("--data", nargs="+", metavar="NAME_OR_CSV", default=None,
                      help=f"built-in data set names ({', '.join(spec.DATASETS)}; sparse: "
                           f"{', '.join(spec.SPARSE_DATASETS)}), CSV files with the output in "
                           f"the last column, or sparse files (.npz from scipy.sparse.save_npz "
                           f"with the output in the last column, or libsvm .svm/.libsvm/"
                           f".svmlight) (default: every built-in dense data set)")
    cmp_.add_argument("--methods", nargs="+", type=_method_name, metavar="METHOD",
                      default=None,
                      help=f"methods, lower-case or R names (default: all {len(spec.METHODS)})")
    cmp_.add_argument("--seeds", type=_checked(check_int, low=1, high=spec.MAX_SEEDS),
                      default=spec.DEFAULT_N_SEEDS, metavar="K",
                      help=f"number of seeds 1..K (K <= {spec.MAX_SEEDS}): one split and fit per "
                           f"seed (default: %(default)s)")
    _add_common(cmp_)
    cmp_.add_argument("--budget-epochs", type=_epochs_budget, default=None, metavar="E",
                      help="run every method until it has used E epochs (n row-gradient "
                           "evaluations each: a full gradient costs 1, an SGD or SAG step 1/n, a "
                           "mini-batch step b/n, an SVRG/SSGD/SARAH inner step 2/n); the "
                           "figures then show relative suboptimality against epochs and seconds")
    cmp_.add_argument("--budget-seconds", type=_positive_float, default=None, metavar="S",
                      help="run every method for S seconds (with --budget-epochs: whichever "
                           "comes first)")
    cmp_.add_argument("--budget-rounds", type=_checked(check_int, low=1,
                                                       high=int(MAX_ITERATIONS)),
                      default=None, metavar="R",
                      help="with --chunks: run every method for R communication rounds (one "
                           "exchange between the Dask chunks and this process each: a step of "
                           "the full-batch methods, an outer loop's reduction or a round of "
                           "local steps of the others); the figures add rounds")
    cmp_.add_argument("--chunks", type=_checked(check_int, low=1), default=None, metavar="K",
                      help="with a budget: hold the training rows in Dask in K chunks and run "
                           "each method's distributed driver (needs graddescent[dask]; the "
                           "grid's runs stay in this process unless --scheduler is given)")
    cmp_.add_argument("--tune", action="store_true",
                      help="with a budget: pick each method's learning rate on a log grid of at "
                           "least 9 values around its default, each run within the budget; the "
                           "best final training objective is kept (the grid is in results.csv)")
    cmp_.add_argument("--no-references", action="store_true",
                      help="with a budget: leave out scikit-learn's reference rows "
                           "(SGDRegressor, Ridge sag/saga, LinearRegression; with a penalty or "
                           "another loss: the same problem, and the exact solver of it)")
    _add_problem(cmp_)
    cmp_.add_argument("--jobs", type=_jobs, default=1, metavar="J",
                      help="parallel runs (joblib; -1: every core) (default: %(default)s)")
    cmp_.add_argument("--scheduler", default=None, metavar="ADDRESS",
                      help="run the grid on the Dask cluster whose scheduler is at ADDRESS "
                           "(e.g. tcp://host:8786), through joblib's dask backend; needs "
                           "graddescent[dask] here and graddescent on the workers")
    cmp_.add_argument("--out", default="graddescent-results", metavar="DIR",
                      help="output folder for results.csv, report.md and the PNG figures "
                           "(default: ./%(default)s)")
    cmp_.add_argument("--no-plots", action="store_true", help="do not draw the PNG figures")
    cmp_.add_argument("--quiet", action="store_true",
                      help="print nothing but errors (no tables, no progress bar)")

    fit = sub.add_parser(
        "fit", help="fit one method on your CSV file (the R workflow)",
        description="Split DATA.csv (numbers only, header row, output in the last column; "
                    "--sep for another separator than ','), scale the training part, learn, "
                    "predict the test part and print the coefficients in original units and "
                    "the RMSE, beside the exact least-squares fit's (a warning says when the "
                    "fit is far from it).",
        epilog="Methods: " + _method_list() + ".")
    fit.add_argument("data", metavar="DATA.csv", help="the data, output in the last column")
    fit.add_argument("--method", type=_method_name, default="gd", metavar="METHOD",
                     help="method, lower-case or R name (default: gd)")
    fit.add_argument("--seed", type=_seed, default=1, help="seed of the split, the starting "
                     "point and the sampling (default: %(default)s)")
    _add_common(fit)
    fit.add_argument("--predict", metavar="NEW.csv", default=None,
                     help="also predict the rows of NEW.csv (the input columns, with or "
                          "without the output column) and write its columns with a "
                          "'prediction' column added")
    fit.add_argument("--plot", metavar="PNG", type=_figure_path, default=None,
                     help="also draw predicted against actual and the residuals of the test "
                          "rows into this PNG file")
    fit.add_argument("--output", "-o", metavar="PATH", default=None,
                     help="where --predict writes (default: NEW_predictions.csv beside "
                          "NEW.csv)")
    fit.add_argument("--chunksize", type=_positive_int, default=None, metavar="N",
                     help="stream DATA (CSV, or Parquet: .parquet, .pq) N rows at a time with "
                          "bounded memory: one pass for the scaling statistics and the exact "
                          "least-squares reference, then --epochs passes of GDRegressor."
                          "partial_fit on every row (no test split; --scaling variance or none; "
                          "--style, --max-iter and --train-fraction do not apply)")
    fit.add_argument("--epochs", type=_iterations, default=1, metavar="K",
                     help="with --chunksize: streamed passes over the file (default: "
                          "%(default)s)")
    fit.add_argument("--weight-column", default=None, metavar="NAME",
                     help="with --chunksize: the column of DATA holding each row's sample "
                          "weight (numbers >= 0, not all zero), taken out of the inputs (the "
                          "output is then the last of the other columns); the scaling, the "
                          "least-squares reference and the RMSE are weighted")
    _add_problem(fit)
    return parser


# --- progress ----------------------------------------------------------------------------------
def _progress_bar(total_label: str, enabled: bool) -> tuple[Callable[[int, int], None],
                                                            Callable[[], None]]:
    """``(update(done, total), close())``: a tqdm bar on stderr (nothing when disabled)."""
    if not enabled:
        return (lambda done, total: None), (lambda: None)
    from tqdm import tqdm

    bar = {}

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc=total_label, unit="fit", file=sys.stderr)
        bar["bar"].update(done - bar["bar"].n)

    return update, (lambda: bar["bar"].close() if "bar" in bar else None)


def _stderr_is_tty() -> bool:
    try:
        return os.isatty(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):
        return False


# --- output ------------------------------------------------------------------------------------
def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    fmt = [f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths)]
    print("  ".join(f.format(h) for f, h in zip(fmt, header, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(f.format(c) for f, c in zip(fmt, r, strict=True)))


def _user_error(exc: BaseException, files: dict[str, str] | None = None,
                prefix: str = "") -> UserError:
    text = cli_message(str(exc) or type(exc).__name__, files)
    if prefix and prefix.rstrip(": ") in text:  # the file is named already
        prefix = ""
    return UserError(prefix + text)


def _load(spec: str, sep: str = ","):
    try:
        return C.load_dataset(spec, sep)
    except (OSError, ValueError, TypeError) as exc:
        raise _user_error(exc) from None


def _backend(address: str | None) -> contextlib.ExitStack:
    """joblib's backend for the grid, entered: the Dask cluster at ``address``, or (None) the
    active one. Exiting the returned stack disconnects."""
    stack = contextlib.ExitStack()
    if address is not None:
        from .cluster import dask_cluster

        try:
            stack.enter_context(dask_cluster(address, timeout="10s"))
        except Exception as exc:  # noqa: BLE001 - Dask raises many kinds for a bad address
            raise UserError(f"cannot run on the Dask scheduler at {address!r} (--scheduler): "
                            f"{cli_message(str(exc)) or type(exc).__name__}") from None
    return stack


def _cmd_compare(args: argparse.Namespace) -> int:
    style = args.style or "r"
    problem = _problem(args)
    try:
        settings = C.CompareSettings(
            datasets=tuple(args.data or ()),
            methods=tuple(args.methods or METHODS), seeds=tuple(range(1, args.seeds + 1)),
            max_iter=args.max_iter, scaling=args.scaling, style=style,
            train_fraction=args.train_fraction or C.CompareSettings.train_fraction,
            learning_rate=args.learning_rate,
            n_jobs=-1 if args.scheduler and args.jobs == 1 else args.jobs,
            budget_epochs=args.budget_epochs,
            budget_seconds=args.budget_seconds, tune=args.tune, problem=problem,
            chunks=args.chunks, budget_rounds=args.budget_rounds,
            **({"references": ()} if args.no_references else {}))
    except ValueError as exc:
        raise _user_error(exc) from None
    from .datasets import DATASETS

    inputs = [spec for spec in settings.datasets if spec not in DATASETS]
    try:
        data = C.load_datasets(settings.datasets, args.sep)
        # the output folder is checked before any fit runs (refused: nothing is computed)
        report.ReportFolder.check(args.out, report.REPORT_FILES, inputs,
                                  overwrite=args.overwrite, overwrite_option="--overwrite",
                                  patterns=report.FIGURE_PATTERNS)
        C.check_comparison_work(settings, data)
    except (OSError, ValueError, TypeError) as exc:
        raise _user_error(exc) from None
    start = time.perf_counter()
    update, close = _progress_bar("compare", not args.quiet and _stderr_is_tty())
    try:
        with _backend(args.scheduler):
            comparison = C.run_comparison(settings, progress=update, data=data)
    finally:
        close()
    if not args.no_plots:
        import matplotlib

        matplotlib.use("Agg")
    try:
        paths = report.write_outputs(comparison, args.out, plots=not args.no_plots,
                                     overwrite=args.overwrite, inputs=inputs,
                                     overwrite_option="--overwrite")
    except OutputError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write into {args.out!r}: {exc}") from None
    failed = _all_failed(comparison.results)
    if args.quiet:
        if failed:
            raise UserError(failed)
        return 0
    print(report.describe(settings))
    summary = C.summarize(comparison.results)
    for name in data:
        sub = comparison.results[comparison.results["dataset"] == name].iloc[0]
        k = len(settings.seeds)
        print(f"\n{name}: {sub['n_train']} training rows, {sub['n_test']} test rows; "
              + (f"medians over {k} seeds" if k > 1 else "one seed"))
        _print_table(*(report.budget_table_rows(comparison, name) if settings.budget
                       else report.table_rows(summary, name)))
        if settings.chunks is not None:
            note = report.exact_answer_note(comparison, name)
            if note:
                print("\n" + note)
    n_png = sum(1 for p in paths.values() if p.suffix == ".png")
    print(f"\n/ OLS = test RMSE over the exact least-squares fit's on the same split. "
          f"{len(comparison.results)} fits in {time.perf_counter() - start:.1f} s.")
    print(f"Wrote {paths['results']}, {paths['report']}, {paths['html']} and {n_png} "
          f"figure(s) into {Path(args.out)}.")
    _warn_far_rows(summary)
    if failed:
        raise UserError(failed)
    return 0


def _warn_far_rows(summary: pd.DataFrame) -> None:
    """One warning line per data set whose methods ended far from least squares (median test
    RMSE over the least-squares fit's above ``1 + FAR_FROM_LEAST_SQUARES``)."""
    if summary.empty:
        return
    far = summary[summary["ratio_to_ols_median"] > 1 + C.FAR_FROM_LEAST_SQUARES]
    for dataset, group in far.groupby("dataset", sort=False):
        names = ", ".join(f"{m} ({r:.3g}x)" for m, r in
                          zip(group["method"], group["ratio_to_ols_median"], strict=True))
        warn(f"{dataset}: {len(group)} method(s) ended with a test RMSE more than "
              f"{C.FAR_FROM_LEAST_SQUARES:.0%} above the exact least-squares fit's (not "
              f"converged): {names}")


#: The data arguments of a comparison's messages, as the command line says them.
_COMPARE_DATA = {"data_train": "the training rows", "data_test": "the test rows",
                 "data_set": "the data set"}


def _all_failed(results: pd.DataFrame) -> str:
    """A one-line error when no fit of a comparison succeeded, else ``""``."""
    if len(results) and not results["status"].isin(("ok", "budget reached")).any():
        counts = results["status"].value_counts()
        how = ", ".join(f"{k} {v}" for k, v in counts.items())
        first = cli_message(results["message"].iloc[0], _COMPARE_DATA)
        return f"every fit failed ({how}; the first: {first}); the rows are in results.csv"
    return ""


def _read_inputs(path: str, sep: str = ",") -> pd.DataFrame:
    """Read NEW.csv for --predict: header row, numbers only, no missing values."""
    p = Path(path)
    if not p.is_file():
        raise UserError(f"no such file: {path!r} (--predict)")
    try:
        frame = pd.read_csv(p, sep=sep)
        check_header(frame.columns, f"{path!r} (--predict)")
    except pd.errors.EmptyDataError:
        raise UserError(f"{path!r} is empty: expected a header row and data rows") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(f"{path!r} is not a readable CSV file: "
                        f"{str(exc).splitlines()[0]}") from None
    except ValueError as exc:
        raise _user_error(exc) from None
    if frame.shape[0] == 0:
        raise UserError(f"{path!r} has a header but no data rows")
    for j, name in enumerate(frame.columns):
        column = frame.iloc[:, j]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            raise UserError(f"column {name!r} of {path!r} is not numeric")
        if column.isna().any():
            row = int(np.flatnonzero(column.isna().to_numpy())[0]) + 1
            raise UserError(f"column {name!r} of {path!r} has a missing value (NaN or empty "
                            f"cell) in data row {row}")
    return frame


def _fit_figure(y: np.ndarray, yhat: np.ndarray, title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import plotting

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11.0, 4.6), layout="constrained")
    plotting.plot_predicted_vs_actual(y, yhat, ax=a1)
    plotting.plot_residuals(y, yhat, ax=a2)
    fig.suptitle(title, fontsize=11)
    try:
        plotting.save(fig, path)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot write {str(path)!r}: {str(exc).splitlines()[0]}") from None


def _targets(args: argparse.Namespace) -> tuple[Path | None, Path | None]:
    """The files ``fit`` writes (--plot, and --predict's output), checked before any fit:
    never an input file, an existing file only with --overwrite."""
    inputs = [args.data] + ([args.predict] if args.predict else [])
    plot = output = None
    try:
        if args.plot:
            plot = check_target(args.plot, inputs, overwrite=args.overwrite,
                                overwrite_option="--overwrite")
        if args.predict:
            output = Path(args.output) if args.output else \
                Path(args.predict).with_name(Path(args.predict).stem + "_predictions.csv")
            output = check_target(output, inputs, overwrite=args.overwrite,
                                  overwrite_option="--overwrite")
            if plot is not None and output.resolve() == plot.resolve():
                raise UserError("--plot and --output name the same file")
        elif args.output:
            raise UserError("--output says where --predict writes its predictions: give "
                            "--predict NEW.csv too")
    except OutputError as exc:
        raise UserError(str(exc)) from None
    return plot, output


def _cmd_fit(args: argparse.Namespace) -> int:
    from .drivers import DivergenceError
    from .metrics import rmse
    from .objective import least_squares
    from .preprocessing import split_data
    from .r_api import predict

    problem = _problem(args)
    if args.weight_column is not None and args.chunksize is None:
        raise UserError("--weight-column weighs a streamed fit: give --chunksize too (the "
                        "R workflow of an in-memory fit splits and scales unweighted rows)")
    if args.chunksize is not None:
        from .cli_stream import fit_streamed

        if problem is not None:
            raise UserError("--chunksize streams plain least squares: --loss, --penalty and "
                            "--no-intercept do not apply to a streamed fit")
        return fit_streamed(args, UserError, _stderr_is_tty())
    from .cli_sparse import fit_sparse, is_sparse_file

    _check_method_runs(METHODS[args.method].name, problem)
    if is_sparse_file(args.data):  # .npz / libsvm: a CSR fit
        args.problem_kwargs = _problem_kwargs(problem)
        return fit_sparse(args, UserError)
    plot, target = _targets(args)
    name, data = _load(args.data, args.sep)
    new = _read_inputs(args.predict, args.sep) if args.predict else None
    if new is not None and "prediction" in new.columns:
        raise UserError(f"{args.predict!r} already has a column named 'prediction' (--predict "
                        f"adds one); rename it")
    method = METHODS[args.method]
    files = {"data_set": repr(args.data), "data_train": f"the training rows of {args.data!r}",
             "data_test": f"the test rows of {args.data!r}", "new_data": repr(args.predict)}
    train_fraction = args.train_fraction or C.CompareSettings.train_fraction
    style = args.style or "r"
    try:
        train, test = split_data(data, train_fraction, args.seed)
        with warnings_one_line(files):
            out = C.fit_method(train, method.name, args.seed, style=style,
                               max_iter=args.max_iter, scaling=args.scaling,
                               learning_rate=args.learning_rate, record_curve=False,
                               problem=problem)
            for said in out.warnings:
                warn(cli_message(said, files))
        y_col = data.columns[-1]
        test_pred = predict(out.model, test)["prediction"]
        test_rmse = rmse(test[y_col], test_pred)
        train_rmse = rmse(train[y_col], predict(out.model, train)["prediction"])
    except DivergenceError as exc:
        raise _user_error(exc, files) from None
    except (ValueError, TypeError) as exc:
        raise _user_error(exc, files, f"{args.data}: ") from None
    intercept, coef = C.original_coefficients(out.model)
    label = f"{method.name} ({method.r_name})" if method.r_name else method.name
    print(f"{label} on {args.data}: {len(train)} training rows, {len(test)} test rows, "
          f"{args.scaling} scaling, seed {args.seed}, {out.updates} updates"
          + (f"; minimising {C.describe_problem(problem)}" if problem is not None else ""))
    print(f"\nCoefficients in original units ({y_col} = intercept + sum of coefficient * "
          f"input):")
    width = max(len(str(c)) for c in ["intercept", *data.columns[:-1]])
    print(f"  {'intercept':<{width}}  {intercept: .6g}")
    for col, c in zip(data.columns[:-1], coef, strict=True):
        print(f"  {str(col):<{width}}  {c: .6g}")
    X_tr, y_tr = train.iloc[:, :-1].to_numpy(float), train[y_col].to_numpy(float)
    try:
        beta = least_squares(X_tr, y_tr)
    except (np.linalg.LinAlgError, ValueError) as exc:
        raise UserError(f"{args.data}: the least-squares reference failed: {exc}") from None
    ols = rmse(test[y_col], beta[0] + test.iloc[:, :-1].to_numpy(float) @ beta[1:])
    ols_train = rmse(y_tr, beta[0] + X_tr @ beta[1:])
    print(f"\ntest RMSE  {test_rmse:.6g}  (exact least squares on the same split: {ols:.6g})")
    print(f"train RMSE {train_rmse:.6g}  (exact least squares: {ols_train:.6g})")
    if problem is not None:
        gap = _objective_gap(out)
        print(f"training objective {out.objective:.8g} (scaled data; its exact minimum "
              f"{out.optimum:.8g}, relative gap {gap:.3g})")
        far = "" if gap <= C.FAR_FROM_LEAST_SQUARES else (
            f"the fit's training objective is {gap:.3g} (relative) above the exact minimum of "
            f"the same objective: the method has not converged.")
    else:
        far = C.far_from_least_squares(train_rmse, ols_train, float(np.std(y_tr)))
    if far:
        warn(far + (" Try more --max-iter, another --alpha or --method"
                    + (", or --scaling variance." if args.scaling != "variance" else ".")
                    if math.isfinite(train_rmse) else ""))
    if plot is not None:
        _fit_figure(test[y_col].to_numpy(), test_pred.to_numpy(),
                    f"{label} on {Path(args.data).name}: test rows", plot)
        print(f"\nWrote the figure {plot}")
    if new is not None:
        try:
            pred = predict(out.model, new)
        except (ValueError, TypeError) as exc:
            raise _user_error(exc, files, f"{args.predict}: ") from None
        written = new.copy()  # every column of NEW.csv (its output column too), then ours
        written["prediction"] = pred["prediction"].to_numpy()
        try:
            written.to_csv(target, index=False, sep=args.sep)  # as NEW.csv was written
        except OSError as exc:
            raise UserError(f"cannot write {str(target)!r}: {exc}") from None
        print(f"\nWrote {len(pred)} predictions to {target}")
    return 0


def _objective_gap(out) -> float:
    """The relative gap of a fit's last recorded objective above the exact minimum."""
    from .budget import relative_suboptimality

    f = out.objective
    return float(relative_suboptimality(f, out.optimum)) if math.isfinite(f) else math.inf


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``graddescent`` command; return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 for errors in the data or the run, 2 for usage errors.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    _load_commands()
    from ._jit import on_first_compile

    on_first_compile(lambda: print(f"{PROG}: compiling kernels, once: the first run on this "
                                   f"installation compiles the numba kernels it needs (a "
                                   f"comparison on every core) and caches them; later runs "
                                   f"load them",
                                   file=sys.stderr, flush=True))
    try:
        with warnings_one_line():
            return _cmd_compare(args) if args.command == "compare" else _cmd_fit(args)
    except UserError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"{PROG}: error: ran out of memory; use a smaller file or setting (e.g. "
              f"--chunksize to stream a large file)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
