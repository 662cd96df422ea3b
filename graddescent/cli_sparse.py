"""``graddescent fit DATA.npz`` or ``DATA.svm``: a fit on a sparse data file.

A ``.npz`` file holds one ``scipy.sparse`` matrix (``scipy.sparse.save_npz``) whose last column
is the output, as in the CSV files; a libsvm (svmlight) file (``.svm``, ``.libsvm``,
``.svmlight``) holds the output first on each line (``sklearn.datasets.load_svmlight_file``).
The rows are split into training and test rows (``--train-fraction``, ``--seed``) and
GDRegressor fits the training rows as a CSR matrix (never densified; unscaled: scale sparse
data without centring beforehand). Prints the training and test RMSE and the largest
coefficients; ``--output`` writes the test rows' predictions as CSV.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from . import compare as C
from ._outputs import OutputError, check_target
from ._registry import METHODS
from .cli_messages import warnings_one_line
from .drivers import DivergenceError
from .estimator import GDRegressor

__all__ = ["SPARSE_SUFFIXES", "is_sparse_file", "load_sparse_file", "fit_sparse"]

#: File suffixes read as sparse data.
SPARSE_SUFFIXES = (".npz", ".svm", ".libsvm", ".svmlight")


def is_sparse_file(path: str) -> bool:
    return Path(path).suffix.lower() in SPARSE_SUFFIXES


def load_sparse_file(path: str, user_error: type[Exception]):
    """``(X, y)`` of a sparse data file: ``X`` CSR, ``y`` float64."""
    from scipy import sparse
    from sklearn.datasets import load_svmlight_file

    p = Path(path)
    if not p.is_file():
        raise user_error(f"no such file: {path!r}")
    try:
        if p.suffix.lower() == ".npz":
            M = sparse.load_npz(p).tocsr()
            if M.shape[1] < 2:
                raise user_error(f"{path!r} holds a matrix of {M.shape[1]} column(s): it needs "
                                 f"the inputs and, last, the output")
            y = M[:, -1].toarray().ravel().astype(np.float64)
            X = M[:, :-1].tocsr()
        else:
            X, y = load_svmlight_file(str(p))
    except (ValueError, OSError, KeyError) as exc:
        kind = "scipy.sparse .npz" if p.suffix.lower() == ".npz" else "libsvm"
        raise user_error(f"{path!r} is not a readable {kind} file: "
                         f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                         ) from None
    if X.shape[0] < 2:
        raise user_error(f"{path!r} has {X.shape[0]} row(s); at least 2 are needed")
    return X, y


def fit_sparse(args: argparse.Namespace, user_error: type[Exception]) -> int:
    if args.predict:
        raise user_error("--predict reads a CSV file of inputs; with a sparse data file, "
                         "--output writes the test rows' predictions instead")
    output = None
    if args.output:  # checked before any fit: never the input, an existing file only with
        try:         # --overwrite
            output = check_target(args.output, [args.data], overwrite=args.overwrite,
                                  overwrite_option="--overwrite")
        except OutputError as exc:
            raise user_error(str(exc)) from None
    X, y = load_sparse_file(args.data, user_error)
    n = X.shape[0]
    order = np.random.default_rng(args.seed).permutation(n)
    fraction = args.train_fraction or C.CompareSettings.train_fraction
    n_train = min(max(int(round(fraction * n)), 1), n - 1)
    train, test = np.sort(order[:n_train]), np.sort(order[n_train:])
    method = METHODS[args.method]
    est = GDRegressor(method=method.name, random_state=args.seed,
                      learning_rate=args.learning_rate or "auto",
                      max_iter=args.max_iter)
    try:
        with warnings_one_line({"data_set": repr(args.data)}):
            est.fit(X[train], y[train])
    except DivergenceError as exc:
        raise user_error(str(exc).splitlines()[0]) from None
    except ValueError as exc:
        raise user_error(f"{args.data}: {str(exc).splitlines()[0]}") from None
    pred = est.predict(X[test])
    test_rmse = float(np.sqrt(np.mean((y[test] - pred) ** 2)))
    train_rmse = float(np.sqrt(np.mean((y[train] - est.predict(X[train])) ** 2)))
    label = f"{method.name} ({method.r_name})" if method.r_name else method.name
    print(f"{label} on {args.data}: {n_train} training rows, {n - n_train} test rows, "
          f"{X.shape[1]} sparse inputs ({X.nnz} stored values), seed {args.seed}, "
          f"{est.n_iter_} epochs")
    top = np.argsort(-np.abs(est.coef_), kind="stable")[:10]
    print(f"\nintercept {est.intercept_: .6g}; {int(np.count_nonzero(est.coef_))} nonzero "
          f"coefficients, the largest:")
    for j in top:
        print(f"  input {j:<8d} {est.coef_[j]: .6g}")
    print(f"\ntest RMSE  {test_rmse:.6g}")
    print(f"train RMSE {train_rmse:.6g}")
    if output is not None:
        import pandas as pd

        try:
            pd.DataFrame({"row": test, "output": y[test], "prediction": pred}).to_csv(
                output, index=False)
        except OSError as exc:
            raise user_error(f"cannot write {args.output!r}: {exc}") from None
        print(f"\nWrote {len(test)} test predictions to {args.output}")
    return 0
