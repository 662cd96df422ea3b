"""``graddescent fit BIG.csv --chunksize N [--epochs K] [--weight-column W]``: a streamed fit
with bounded memory.

One pass over the file computes its statistics (:func:`graddescent.streaming.scan`), then
``--epochs`` passes run :meth:`GDRegressor.partial_fit` on every chunk; the training RMSE of the
fit and of the exact least-squares solution come from the statistics (no further pass), and a
warning says when the fit is far from least squares. With ``--weight-column`` the rows are
weighted by that column (:func:`graddescent.streaming.stream_fit`'s ``weight_column``), and so
are the statistics, the reference and the RMSE. Options that do not apply to a streamed
fit (``--style``, ``--max-iter``, ``--train-fraction``, ``--predict``, ``--plot``) are refused,
never silently ignored.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from . import streaming
from ._registry import METHODS
from .cli_messages import cli_message, warn
from .compare import far_from_least_squares
from .drivers import DivergenceError
from .estimator import GDRegressor

__all__ = ["fit_streamed"]


def _bar(desc: str, total: int | None, enabled: bool):
    """A tqdm progress bar on a terminal (rows), else a no-op with the same ``update``."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="row", unit_scale=True, disable=not enabled,
                leave=False)


def fit_streamed(args: argparse.Namespace, user_error: type[Exception], tty: bool) -> int:
    """Run the streamed fit of ``args``; print its report; return the exit code (0).

    Errors in the file (a non-numeric or missing value, named by data row), divergence and
    unsupported options raise ``user_error`` with a one-line message.
    """
    path = Path(args.data)
    if not path.is_file():
        raise user_error(f"no such file: {args.data!r}")
    for option in ("predict", "plot", "output"):
        if getattr(args, option, None):
            raise user_error(f"--{option} is not available with --chunksize")
    if args.max_iter is not None:
        raise user_error("--max-iter does not apply to --chunksize: give the number of "
                         "streamed passes with --epochs")
    if getattr(args, "style", None) is not None:
        raise user_error(f"--style {args.style} does not apply to --chunksize: a streamed fit "
                         f"always runs GDRegressor.partial_fit, one epoch per chunk in each of "
                         f"--epochs passes (learning rate 'auto', or --alpha); leave --style "
                         f"out")
    if getattr(args, "train_fraction", None) is not None:
        raise user_error("--train-fraction does not apply to --chunksize: a streamed fit "
                         "trains on every row (no test split); leave it out")
    if args.scaling not in ("variance", "none"):
        raise user_error(f"--chunksize supports --scaling variance or none, not "
                         f"{args.scaling!r}")
    method = METHODS[args.method]
    model = GDRegressor(method.name, random_state=args.seed,
                        learning_rate=args.learning_rate or "auto")
    scale = args.scaling == "variance"
    sep = getattr(args, "sep", ",")
    weights = getattr(args, "weight_column", None)
    try:
        with _bar("statistics", None, tty) as bar:
            stats = streaming.scan(path, args.chunksize, bar.update, sep=sep,
                                   epochs=args.epochs, weight_column=weights)
        with _bar(f"{method.name}", stats.n * args.epochs, tty) as bar:
            streaming.stream_fit(model, path, args.chunksize, args.epochs, stats, scale,
                                 bar.update, sep=sep, weight_column=weights)
    except DivergenceError as exc:
        raise user_error(_say(exc)) from None
    except ImportError as exc:
        raise user_error(f"reading Parquet needs pyarrow (pip install pyarrow): "
                         f"{str(exc).splitlines()[0]}") from None
    except (ValueError, TypeError, OSError, UnicodeDecodeError) as exc:
        text = _say(exc)
        raise user_error(text if text.startswith(path.name) else f"{args.data}: {text}"
                         ) from None
    if scale:
        intercept, coef = streaming.original_coefficients(model, stats)
    else:
        intercept, coef = model.intercept_, model.coef_
    beta = stats.least_squares()
    label = f"{method.name} ({method.r_name})" if method.r_name else method.name
    weighted = f", weighted by column {weights!r}" if weights is not None else ""
    print(f"{label} on {args.data}, streamed {args.chunksize} rows at a time: {stats.n} "
          f"training rows (no test split){weighted}, {args.scaling} scaling, seed "
          f"{args.seed}, {args.epochs} epoch(s), {model.t_} updates")
    print(f"\nCoefficients in original units ({stats.columns[-1]} = intercept + sum of "
          f"coefficient * input):")
    names = ["intercept", *stats.columns[:-1]]
    width = max(len(c) for c in names)
    for name, value in zip(names, [intercept, *coef], strict=True):
        print(f"  {name:<{width}}  {value: .6g}")
    # weighted: sqrt(sum_i s_i r_i^2 / sum_i s_i), the RMSE of the rows each counted s_i times
    rmse = math.sqrt(max(stats.rss(intercept, coef), 0.0) / stats.total)
    ols = math.sqrt(max(stats.rss(beta[0], beta[1:]), 0.0) / stats.total)
    kind = "weighted " if weights is not None else ""
    print(f"\n{kind}train RMSE {rmse:.6g}  (exact {kind}least squares, normal equations: "
          f"{ols:.6g})")
    far = far_from_least_squares(rmse, ols, float(stats.std[-1]))
    if far:
        warn(far + " Try more --epochs, another --alpha or --method"
             + (", or --scaling variance." if not scale else "."))
    return 0


def _say(exc: BaseException) -> str:
    """A library message in command-line words."""
    return cli_message(str(exc))
