"""The ``graddescent`` command (also ``python -m graddescent``).

``graddescent compare``
    Every method on the built-in data sets over several seeds: prints a table per data set and
    writes ``results.csv``, ``report.md`` and PNG figures (see :mod:`graddescent.compare`).
``graddescent fit DATA.csv --method rmsprop``
    The R workflow on your file (split, scale, learn, predict, RMSE): prints the coefficients
    in original units and the RMSE; ``--predict NEW.csv`` writes predictions.

Errors in the user's data (missing file, empty file, non-numeric column, missing values,
values too large for float64) and diverging fits end with a one-line message on stderr and exit
code 1, as does ``compare`` when every fit failed (its rows are still written); usage errors
(including ``--jobs 0``, ``--seed -1``, ``--alpha inf`` and a ``--plot`` file type matplotlib
cannot write) exit with code 2 (argparse) and name the option.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__, report
from . import compare as C
from ._registry import METHODS, control_defaults, get_method
from ._validation import check_int, check_interval, check_positive
from .datasets import DATASETS

__all__ = ["main", "build_parser"]

PROG = "graddescent"


class UserError(Exception):
    """An error in the user's input: reported in one line, exit code 1."""


def _method_list() -> str:
    return ", ".join(f"{m.name} ({m.r_name})" if m.r_name else m.name for m in METHODS.values())


def _method_name(value: str) -> str:
    try:
        return get_method(value).name
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
_seed = _checked(check_int, low=0)
_fraction = _checked(check_interval, low=0.0, high=1.0, closed="neither")
_positive_float = _checked(check_positive)


def _check_jobs(name: str, value: object) -> int:
    """A number of parallel jobs: an integer other than 0 (-1: every core)."""
    jobs = check_int(name, value)
    if jobs == 0:
        raise ValueError(f"{name} must be a number of parallel jobs other than 0 (-1: every "
                         f"core), got 0.")
    return jobs


_jobs = _checked(_check_jobs)

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
    p.add_argument("--scaling", choices=list(C.SCALINGS), default="variance",
                   help="scaling of the training data, output included, as R's learn() "
                        "(default: %(default)s)")
    p.add_argument("--style", choices=list(C.STYLES), default="r",
                   help="'r': the R learners with R's defaults and --max-iter R iterations "
                        "(steps, or outer loops for SSGD, SVRG, SARAH, SARAHPlus); "
                        "'estimator': GDRegressor with its defaults (learning_rate='auto', "
                        "--max-iter epochs, stops on tol) (default: %(default)s)")
    p.add_argument("--max-iter", type=_positive_int, default=None, metavar="N",
                   help=f"R iterations (style r, default {C.DEFAULT_MAX_ITER}) or epochs (style "
                        f"estimator, default GDRegressor's max_iter=None: at most 10000 epochs "
                        f"when the gradient is exact, 1000000 when it is sampled, stopping "
                        f"earlier on tol)")
    p.add_argument("--alpha", "--learning-rate", dest="learning_rate", type=_positive_float,
                   default=None, metavar="RATE",
                   help=f"learning rate (style r: R's alpha, default "
                        f"{control_defaults()['alpha']}; style estimator: default 'auto')")
    p.add_argument("--train-fraction", type=_fraction, default=C.CompareSettings.train_fraction,
                   metavar="F", help="fraction of the rows used for training "
                                     "(default: %(default)s)")


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
                      help=f"built-in data set names ({', '.join(DATASETS)}) or CSV files with "
                           f"the output in the last column (default: every built-in data set)")
    cmp_.add_argument("--methods", nargs="+", type=_method_name, metavar="METHOD",
                      default=None,
                      help=f"methods, lower-case or R names (default: all {len(METHODS)})")
    cmp_.add_argument("--seeds", type=_positive_int, default=C.DEFAULT_N_SEEDS, metavar="K",
                      help="number of seeds 1..K: one split and fit per seed "
                           "(default: %(default)s)")
    _add_common(cmp_)
    cmp_.add_argument("--budget-epochs", type=_positive_float, default=None, metavar="E",
                      help="run every method until it has used E epochs (n row-gradient "
                           "evaluations each: a full gradient costs 1, an SGD or SAG step 1/n, a "
                           "mini-batch step b/n, an SVRG/SSGD/SARAH inner step 2/n); the "
                           "figures then show relative suboptimality against epochs and seconds")
    cmp_.add_argument("--budget-seconds", type=_positive_float, default=None, metavar="S",
                      help="run every method for S seconds (with --budget-epochs: whichever "
                           "comes first)")
    cmp_.add_argument("--tune", action="store_true",
                      help="with a budget: pick each method's learning rate on a log grid of at "
                           "least 9 values around its default, each run within the budget; the "
                           "best final training objective is kept (the grid is in results.csv)")
    cmp_.add_argument("--no-references", action="store_true",
                      help="with a budget: leave out scikit-learn's reference rows "
                           "(SGDRegressor, Ridge sag/saga, LinearRegression)")
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
        description="Split DATA.csv (numbers only, header row, output in the last column), "
                    "scale the training part, learn, predict the test part and print the "
                    "coefficients in original units and the RMSE.",
        epilog="Methods: " + _method_list() + ".")
    fit.add_argument("data", metavar="DATA.csv", help="the data, output in the last column")
    fit.add_argument("--method", type=_method_name, default="gd", metavar="METHOD",
                     help="method, lower-case or R name (default: gd)")
    fit.add_argument("--seed", type=_seed, default=1, help="seed of the split, the starting "
                     "point and the sampling (default: %(default)s)")
    _add_common(fit)
    fit.add_argument("--predict", metavar="NEW.csv", default=None,
                     help="also predict the rows of NEW.csv (the input columns, with or "
                          "without the output column) and write them with a 'prediction' "
                          "column")
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
                          "partial_fit on every row (no test split; --scaling variance or none)")
    fit.add_argument("--epochs", type=_positive_int, default=1, metavar="K",
                     help="with --chunksize: streamed passes over the file (default: "
                          "%(default)s)")
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


def _load(spec: str):
    try:
        return C.load_dataset(spec)
    except (OSError, ValueError, TypeError) as exc:
        raise UserError(str(exc).splitlines()[0]) from None


def _backend(address: str | None) -> contextlib.ExitStack:
    """joblib's backend for the grid, entered: the Dask cluster at ``address``, or (None) the
    active one. Exiting the returned stack disconnects."""
    stack = contextlib.ExitStack()
    if address is not None:
        from .cluster import dask_cluster

        try:
            stack.enter_context(dask_cluster(address))
        except (ImportError, OSError) as exc:
            raise UserError(f"cannot run on the Dask scheduler at {address!r}: "
                            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                            ) from None
    return stack


def _cmd_compare(args: argparse.Namespace) -> int:
    try:
        settings = C.CompareSettings(
            datasets=tuple(args.data or ()),
            methods=tuple(args.methods or METHODS), seeds=tuple(range(1, args.seeds + 1)),
            max_iter=args.max_iter, scaling=args.scaling, style=args.style,
            train_fraction=args.train_fraction, learning_rate=args.learning_rate,
            n_jobs=-1 if args.scheduler and args.jobs == 1 else args.jobs,
            budget_epochs=args.budget_epochs,
            budget_seconds=args.budget_seconds, tune=args.tune,
            **({"references": ()} if args.no_references else {}))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    data = dict(_load(spec) for spec in settings.datasets)
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
        paths = report.write_outputs(comparison, args.out, plots=not args.no_plots)
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
    n_png = sum(1 for p in paths.values() if p.suffix == ".png")
    print(f"\n/ OLS = test RMSE over the exact least-squares fit's on the same split. "
          f"{len(comparison.results)} fits in {time.perf_counter() - start:.1f} s.")
    print(f"Wrote {paths['results']}, {paths['report']}, {paths['html']} and {n_png} "
          f"figure(s) into {Path(args.out)}.")
    if failed:
        raise UserError(failed)
    return 0


def _all_failed(results: pd.DataFrame) -> str:
    """A one-line error when no fit of a comparison succeeded, else ``""``."""
    if len(results) and not results["status"].isin(("ok", "budget reached")).any():
        counts = results["status"].value_counts()
        how = ", ".join(f"{k} {v}" for k, v in counts.items())
        return (f"every fit failed ({how}; the first: {results['message'].iloc[0]}); the rows "
                f"are in results.csv")
    return ""


def _read_inputs(path: str) -> pd.DataFrame:
    """Read NEW.csv for --predict: header row, numbers only, no missing values."""
    p = Path(path)
    if not p.is_file():
        raise UserError(f"no such file: {path!r}")
    try:
        frame = pd.read_csv(p)
    except pd.errors.EmptyDataError:
        raise UserError(f"{path!r} is empty: expected a header row and data rows") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(f"{path!r} is not a readable CSV file: "
                        f"{str(exc).splitlines()[0]}") from None
    if frame.shape[0] == 0:
        raise UserError(f"{path!r} has a header but no data rows")
    for name in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[name]) or \
                pd.api.types.is_bool_dtype(frame[name]):
            raise UserError(f"column {name!r} of {path!r} is not numeric")
        if frame[name].isna().any():
            row = int(np.flatnonzero(frame[name].isna().to_numpy())[0]) + 1
            raise UserError(f"column {name!r} of {path!r} has a missing value (NaN or empty "
                            f"cell) in data row {row}")
    return frame


def _fit_figure(y: np.ndarray, yhat: np.ndarray, title: str, path: str) -> None:
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
        raise UserError(f"cannot write {path!r}: {str(exc).splitlines()[0]}") from None


def _cmd_fit(args: argparse.Namespace) -> int:
    from .drivers import DivergenceError
    from .metrics import rmse
    from .objective import least_squares
    from .preprocessing import split_data
    from .r_api import predict

    if args.chunksize is not None:
        from .cli_stream import fit_streamed

        return fit_streamed(args, UserError, _stderr_is_tty())
    name, data = _load(args.data)
    new = _read_inputs(args.predict) if args.predict else None
    method = METHODS[args.method]
    try:
        train, test = split_data(data, args.train_fraction, args.seed)
        out = C.fit_method(train, method.name, args.seed, style=args.style,
                         max_iter=args.max_iter, scaling=args.scaling,
                         learning_rate=args.learning_rate, record_curve=False)
        y_col = data.columns[-1]
        test_pred = predict(out.model, test)["prediction"]
        test_rmse = rmse(test[y_col], test_pred)
        train_rmse = rmse(train[y_col], predict(out.model, train)["prediction"])
    except DivergenceError as exc:
        raise UserError(str(exc).splitlines()[0]) from None
    except ValueError as exc:
        raise UserError(f"{args.data}: {str(exc).splitlines()[0]}") from None
    intercept, coef = C.original_coefficients(out.model)
    label = f"{method.name} ({method.r_name})" if method.r_name else method.name
    print(f"{label} on {args.data}: {len(train)} training rows, {len(test)} test rows, "
          f"{args.scaling} scaling, seed {args.seed}, {out.updates} updates")
    print(f"\nCoefficients in original units ({y_col} = intercept + sum of coefficient * "
          f"input):")
    width = max(len(str(c)) for c in ["intercept", *data.columns[:-1]])
    print(f"  {'intercept':<{width}}  {intercept: .6g}")
    for col, c in zip(data.columns[:-1], coef, strict=True):
        print(f"  {str(col):<{width}}  {c: .6g}")
    X_tr, y_tr = train.iloc[:, :-1].to_numpy(float), train[y_col].to_numpy(float)
    try:
        beta = least_squares(X_tr, y_tr)
    except np.linalg.LinAlgError as exc:
        raise UserError(f"{args.data}: the least-squares reference failed: {exc}") from None
    ols = rmse(test[y_col], beta[0] + test.iloc[:, :-1].to_numpy(float) @ beta[1:])
    print(f"\ntest RMSE  {test_rmse:.6g}  (exact least squares on the same split: {ols:.6g})")
    print(f"train RMSE {train_rmse:.6g}")
    if args.plot:
        _fit_figure(test[y_col].to_numpy(), test_pred.to_numpy(),
                    f"{label} on {Path(args.data).name}: test rows", args.plot)
        print(f"\nWrote the figure {args.plot}")
    if new is not None:
        try:
            pred = predict(out.model, new)
        except (ValueError, TypeError) as exc:
            raise UserError(f"{args.predict}: {str(exc).splitlines()[0]}") from None
        target = Path(args.output) if args.output else \
            Path(args.predict).with_name(Path(args.predict).stem + "_predictions.csv")
        try:
            pred.to_csv(target, index=False)
        except OSError as exc:
            raise UserError(f"cannot write {str(target)!r}: {exc}") from None
        print(f"\nWrote {len(pred)} predictions to {target}")
    return 0


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
    from ._jit import on_first_compile

    on_first_compile(lambda: print(f"{PROG}: compiling kernels, once: the first run on this "
                                   f"installation compiles the numba kernels it needs and "
                                   f"caches them (up to a minute); later runs load them",
                                   file=sys.stderr, flush=True))
    try:
        return _cmd_compare(args) if args.command == "compare" else _cmd_fit(args)
    except UserError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
