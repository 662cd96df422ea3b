"""Generate ``mackey_glass.csv`` and ``mackey_glass_r.csv``: the Mackey-Glass series as rows.

Both files hold the Mackey-Glass series

    dx/dt = beta x(t - tau) / (1 + x(t - tau)^n) - gamma x(t),
    beta = 0.2, gamma = 0.1, n = 10, tau = 17, x(0) = 1.2, x(t) = 0 for t < 0,

as rows x(t - 18), x(t - 12), x(t - 6), x(t) -> x(t + 6), one row per time unit.

``mackey_glass.csv`` (the default of ``load_mackey_glass``) is an accurate solution of the
delay equation itself:

* classical fourth-order Runge-Kutta with step h = 0.01 (``STEP``); tau / h = 1700 and 1 / h =
  100 are integers, so every delayed time t - 17 of a step end falls on a grid point and the
  breaking points of the solution (t = 0, 17, 34, ..., where the jump of the history at t = 0
  propagates) are grid points too;
* the delayed term at the step ends is the stored grid value, at the half step the cubic
  Hermite interpolant of the two neighbouring grid values and of their derivatives
  (x(s) at s = t - 17 + h / 2 is (x_j + x_{j+1}) / 2 + h (x'_j - x'_{j+1}) / 8), which keeps
  the scheme of fourth order;
* the history jumps from 0 to 1.2 at t = 0: the step that ends at t = 17 uses the left limit
  (delayed value 0), the one that starts at t = 17 the right limit (x(0) = 1.2); likewise the
  interpolant on [0, h] uses x'(0+) = -0.12 and the one ending at t = 17 the left derivative;
* sampled at the integer times, rows t = 118, 119, ..., 1117 (1000 rows, needing x on
  0 <= t <= 1123): Jang's (1993) ANFIS benchmark, the first 118 time units being the
  transient from the initial history.

The script checks the step by halving it (h = 0.005) and prints the largest difference.

``mackey_glass_r.csv`` (``load_mackey_glass(variant="r")``) reproduces R's
``MackeyGlass1000.dt`` (frbs / gradDescent), a coarse discretisation found by fitting R's file
(see ``PROVENANCE.md``): fourth-order Runge-Kutta with step 1, sampled at every step, the delayed
term held constant over each step and read from a ring buffer of 17 values *before* the slot is
overwritten, so the step t = k -> k + 1 uses x(k - 16) for k >= 17 and 0 for k <= 16
(effective delay 16).  Rows t = 217, ..., 716 and 718, ..., 1217 (t = 717 is absent, as in R's
file).

Needs numpy and pandas only::

    python datasets/make_mackey_glass.py [--out DIR] [--shared DIR]

R's copy (``--shared``, ``$GRADDESCENT_SHARED/data`` or ``<repo>/../shared/data``) is read, when
present, only to compare with it and print the numbers quoted in ``PROVENANCE.md``; nothing of
it is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

BETA = 0.2
GAMMA = 0.1
EXPONENT = 10
TAU = 17
X0 = 1.2
HISTORY = 0.0
STEP = 0.01  # step of the accurate integration
STEP_R = 1.0  # step of R's coarse scheme
LAGS = (-18, -12, -6, 0, 6)
COLUMNS = ("x_t_minus_18", "x_t_minus_12", "x_t_minus_6", "x_t", "x_t_plus_6")
TIMES = np.arange(118, 1118)
TIMES_R = np.concatenate([np.arange(217, 717), np.arange(718, 1218)])
HERE = Path(__file__).resolve().parent


def rhs(x: float, x_delayed: float) -> float:
    """Right-hand side of the Mackey-Glass equation."""
    return BETA * x_delayed / (1.0 + x_delayed**EXPONENT) - GAMMA * x


def simulate_accurate(t_end: int, h: float = STEP) -> np.ndarray:
    """Return x(0), x(1), ..., x(t_end) of the delay equation, by RK4 with step ``h``.

    ``1 / h`` and ``TAU / h`` must be integers.  The delayed term is taken on the grid at the
    step ends and from the cubic Hermite interpolant at the half step; the jump of the history
    at t = 0 (0 for t < 0, ``X0`` at t = 0) is handled with left and right limits.
    """
    per_unit = round(1.0 / h)
    m = round(TAU / h)
    if abs(per_unit * h - 1.0) > 1e-12 or abs(m * h - TAU) > 1e-9:
        raise ValueError(f"1 / h and tau / h must be integers, got h = {h}")
    n = t_end * per_unit
    x = [0.0] * (n + 1)
    d_right = [0.0] * (n + 1)  # x'(t_j+) (delayed value taken as its right limit)
    d_left = [0.0] * (n + 1)  # x'(t_j-) (left limit; differs at t = 0 and t = tau only)
    x[0] = X0
    d_right[0] = rhs(X0, HISTORY)
    d_left[0] = 0.0  # the history is constant
    half, eighth, sixth = 0.5 * h, h / 8.0, h / 6.0
    for j in range(n):
        k = j - m  # grid index of t_j - tau
        if k < 0:  # history: 0 and flat, right limit at t < 0
            d0 = g0 = HISTORY
        else:
            d0, g0 = x[k], d_right[k]
        if k + 1 <= 0:  # left limit at t_{j+1} - tau <= 0 is the history
            d1 = g1 = HISTORY
        else:
            d1, g1 = x[k + 1], d_left[k + 1]
        dm = 0.5 * (d0 + d1) + eighth * (g0 - g1)
        xj = x[j]
        s1 = rhs(xj, d0)
        s2 = rhs(xj + half * s1, dm)
        s3 = rhs(xj + half * s2, dm)
        s4 = rhs(xj + h * s3, d1)
        xn = xj + sixth * (s1 + 2.0 * s2 + 2.0 * s3 + s4)
        x[j + 1] = xn
        kn = j + 1 - m
        if kn < 0:
            d_right[j + 1] = d_left[j + 1] = rhs(xn, HISTORY)
        elif kn == 0:
            d_right[j + 1] = rhs(xn, x[0])
            d_left[j + 1] = rhs(xn, HISTORY)
        else:
            d_right[j + 1] = d_left[j + 1] = rhs(xn, x[kn])
    return np.array(x[::per_unit])


def simulate_r(n_values: int) -> np.ndarray:
    """Return x(0), ..., x(n_values - 1) of R's coarse ring-buffer RK4 scheme (step 1)."""
    buffer_len = int(round(TAU / STEP_R))  # 17 slots
    ring = np.full(buffer_len, HISTORY)
    x = np.empty(n_values)
    x[0] = X0
    h = STEP_R
    for k in range(n_values - 1):
        slot = k % buffer_len
        d = ring[slot]  # x(k - 16) once the buffer has been filled, HISTORY before
        xk = x[k]
        k1 = rhs(xk, d)
        k2 = rhs(xk + 0.5 * h * k1, d)
        k3 = rhs(xk + 0.5 * h * k2, d)
        k4 = rhs(xk + h * k3, d)
        x[k + 1] = xk + h * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0
        ring[slot] = x[k + 1]
    return x


def embed(x: np.ndarray, times: np.ndarray) -> pd.DataFrame:
    """Arrange the series as rows ``x(t + lag)`` for each lag in ``LAGS``."""
    return pd.DataFrame({name: x[times + lag] for name, lag in zip(COLUMNS, LAGS, strict=True)})


def default_shared_dir() -> Path:
    """Return the folder expected to hold R's ``mackey_glass_1000.csv``."""
    env = os.environ.get("GRADDESCENT_SHARED")
    if env:
        base = Path(env)
        return base / "data" if (base / "data").is_dir() else base
    return HERE.parents[1] / "shared" / "data"


def find_alignment(x: np.ndarray, r_values: np.ndarray, window: int = 40) -> tuple[int, int]:
    """Search the lag spacing and start time that best match R's first rows.

    Returns ``(spacing, t0)``: the first R row is taken as
    ``x(t0 - 3 s), x(t0 - 2 s), x(t0 - s), x(t0), x(t0 + s)`` with ``s = spacing``.
    """
    best = (np.inf, 0, 0)
    for spacing in range(1, 13):
        for t0 in range(3 * spacing, len(x) - spacing - window):
            rows = np.arange(t0, t0 + window)
            cand = np.stack([x[rows + j * spacing] for j in (-3, -2, -1, 0, 1)], axis=1)
            err = np.abs(cand - r_values[:window]).max()
            if err < best[0]:
                best = (err, spacing, t0)
    return best[1], best[2]


def round_5(values: np.ndarray) -> np.ndarray:
    """Round to 5 significant digits, as R's file is stored."""
    return np.vectorize(lambda v: float(f"{v:.5g}"))(values)


def describe(values: np.ndarray) -> str:
    """Mean, standard deviation, min and max."""
    return (
        f"mean {values.mean():.4f}, sd {values.std():.4f}, "
        f"min {values.min():.4f}, max {values.max():.4f}"
    )


def compare(r_frame: pd.DataFrame, x_r: np.ndarray, r_path: Path) -> None:
    """Print how both series compare with R's file."""
    x_acc = simulate_accurate(len(x_r) - 1)  # long enough for R's times
    r_values = pd.read_csv(r_path).to_numpy()
    spacing, t0 = find_alignment(x_r, r_values)
    print(f"R scheme: best alignment of R's first 40 rows: lag spacing {spacing}, t0 = {t0}")
    diff = np.abs(r_frame.to_numpy() - r_values)
    n_equal = int((round_5(r_frame.to_numpy()) == r_values).sum())
    print(
        f"R scheme vs R's file: max |diff| {diff.max():.3e}, median {np.median(diff):.3e}; "
        f"values equal to ours rounded to 5 significant digits: {n_equal} of {r_values.size}"
    )
    if n_equal != r_values.size:
        raise RuntimeError("the R-compatible series does not reproduce R's file")

    acc_at_r = embed(x_acc, TIMES_R).to_numpy()
    acc_diff = np.abs(acc_at_r - r_values)
    gap = np.abs(x_acc - x_r)
    print(
        f"accurate series at R's times vs R's file: max |diff| {acc_diff.max():.3f}, "
        f"median {np.median(acc_diff):.3f}; vs the R scheme: |diff| > 0.01 from "
        f"t = {int(np.argmax(gap > 0.01))}, > 0.1 from t = {int(np.argmax(gap > 0.1))}"
    )
    print(f"R's file, x(t) column:      {describe(r_values[:, 3])}")
    print(f"accurate file, x(t) column: {describe(embed(x_acc, TIMES).to_numpy()[:, 3])}")


def main(argv: list[str] | None = None) -> int:
    """Write both files, check the step by halving it and compare with R's copy if present."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--shared", type=Path, default=default_shared_dir())
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    t_end = int(TIMES.max()) + max(LAGS)
    x_acc = simulate_accurate(t_end)
    frame = embed(x_acc, TIMES)
    frame.to_csv(args.out / "mackey_glass.csv", index=False, float_format="%.10g")
    print(f"mackey_glass.csv: {frame.shape[0]} rows x {frame.shape[1]} columns, h = {STEP}")
    x_half = simulate_accurate(t_end, STEP / 2)
    rows_half = embed(x_half, TIMES).to_numpy()
    print(
        f"step halving (h = {STEP / 2}): max |diff| on x(0..{t_end}) "
        f"{np.abs(x_half - x_acc).max():.2e}, on the 1000 rows "
        f"{np.abs(rows_half - frame.to_numpy()).max():.2e}"
    )
    print(f"accurate file: {describe(frame.to_numpy()[:, 3])} (x(t) column)")

    x_r = simulate_r(int(TIMES_R.max()) + max(LAGS) + 1)
    r_frame = embed(x_r, TIMES_R)
    r_frame.to_csv(args.out / "mackey_glass_r.csv", index=False, float_format="%.10g")
    print(f"mackey_glass_r.csv: {r_frame.shape[0]} rows x {r_frame.shape[1]} columns")

    r_path = args.shared / "mackey_glass_1000.csv"
    if r_path.is_file():
        compare(r_frame, x_r, r_path)
    else:
        print(f"{r_path} not found: comparison with R's file skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
