"""Generate ``compressibility_factor.csv`` and ``compressibility_factor_outliers.csv``.

The compressibility factor Z = p / (rho R T) of CO2 is computed with CoolProp's reference
equation of state for CO2 (Span and Wagner 1996) on the temperature/pressure grid of the data
set shipped with R gradDescent 3.0 (``CompressilbilityFactor.dt``, after Kennedy 1954).  The
grid (and its row order) is read from the validation copy of that file in ``shared/data`` at
generation time only.  Its measured Z values are used only to locate the nine data-entry errors
(values divided by 10^4) and to print the comparison quoted in ``PROVENANCE.md``; no measured
value is written.  ``compressibility_factor_outliers.csv`` holds the (temperature, pressure)
grid positions of the nine errors, nothing else: the loader builds the outlier lesson from our
computed Z (Z / 10^4 at those positions).

CoolProp is needed by this script only, never by the package at run time::

    python -m venv /tmp/venv-data
    /tmp/venv-data/bin/pip install CoolProp numpy pandas
    /tmp/venv-data/bin/python datasets/make_compressibility_factor.py

Options: ``--shared DIR`` (folder holding ``compressibility_factor.csv``; default
``$GRADDESCENT_SHARED/data`` or ``<repo>/../shared/data``), ``--out DIR`` (default: this
folder).  The script is deterministic for a given CoolProp version (8.0.0 was used).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ATM_IN_PA = 101325.0
COLUMNS = ("temperature_k", "pressure_atm", "z_factor")
ORIGINAL_COLUMNS = ("Temperature(K)", "Pressure(ATM)", "Compressibility Factor(Z)")
DIVISOR = 1e4  # each data-entry error of R's copy is the true Z divided by 10^4
OUTLIER_RATIO = 0.01  # a measured Z below 1 % of its reference value is a data-entry error
HERE = Path(__file__).resolve().parent


def default_shared_dir() -> Path:
    """Return the folder expected to hold R's ``compressibility_factor.csv``."""
    env = os.environ.get("GRADDESCENT_SHARED")
    if env:
        base = Path(env)
        return base / "data" if (base / "data").is_dir() else base
    return HERE.parents[1] / "shared" / "data"


def read_original(shared_dir: Path) -> pd.DataFrame:
    """Read R's copy of the data set and rename its columns to ours."""
    frame = pd.read_csv(shared_dir / "compressibility_factor.csv")
    if tuple(frame.columns) != ORIGINAL_COLUMNS:
        raise ValueError(f"unexpected columns {list(frame.columns)}")
    frame.columns = list(COLUMNS)
    return frame


def coolprop_z(temperature_k: np.ndarray, pressure_atm: np.ndarray) -> np.ndarray:
    """Compressibility factor of CO2 from CoolProp's reference equation of state."""
    from CoolProp import __version__ as coolprop_version
    from CoolProp.CoolProp import PropsSI

    print(f"CoolProp {coolprop_version}")
    return np.array(
        [
            PropsSI("Z", "T", float(t), "P", float(p) * ATM_IN_PA, "CO2")
            for t, p in zip(temperature_k, pressure_atm, strict=True)
        ]
    )


def neighbour_median(frame: pd.DataFrame) -> np.ndarray:
    """Median Z of each point's grid neighbours (same pressure, the two nearest temperatures)."""
    z = frame["z_factor"].to_numpy()
    out = np.empty_like(z)
    for pressure, group in frame.groupby("pressure_atm", sort=False):
        del pressure
        order = group.sort_values("temperature_k").index.to_numpy()
        for k, row in enumerate(order):
            lo, hi = max(k - 2, 0), min(k + 3, len(order))
            neighbours = [i for i in order[lo:hi] if i != row]
            out[row] = np.median(z[neighbours])
    return out


def find_outliers(measured: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Row positions whose measured Z is below ``OUTLIER_RATIO`` times the reference."""
    return np.flatnonzero(measured < OUTLIER_RATIO * reference)


def summary(diff: np.ndarray) -> str:
    """Median, 90th percentile and max of absolute differences."""
    return (
        f"median {np.median(diff):.4f}, 90th percentile {np.percentile(diff, 90):.4f}, "
        f"max {diff.max():.4f}"
    )


def ols(frame: pd.DataFrame) -> np.ndarray:
    """Ordinary least squares of Z on (1, T, p)."""
    design = np.column_stack([np.ones(len(frame)), frame["temperature_k"], frame["pressure_atm"]])
    theta, *_ = np.linalg.lstsq(design, frame["z_factor"].to_numpy(), rcond=None)
    return theta


def print_lesson(ours: pd.DataFrame, rows: np.ndarray) -> None:
    """Print the least-squares lesson: our Z, then our Z with the nine values divided by 1e4."""
    dirty = ours.copy()
    dirty.iloc[rows, 2] = dirty.iloc[rows, 2] / DIVISOR
    clean_theta, dirty_theta = ols(ours), ols(dirty)
    print(f"OLS of Z on (1, T, p), outliers=False: {clean_theta}")
    print(f"OLS of Z on (1, T, p), outliers=True:  {dirty_theta}")
    print(f"relative change of the coefficients: {np.abs(dirty_theta / clean_theta - 1)}")
    theta = dirty_theta
    residual = dirty["z_factor"] - theta[0] - theta[1] * dirty["temperature_k"]
    residual -= theta[2] * dirty["pressure_atm"]
    largest = np.sort(np.argsort(-np.abs(residual.to_numpy()))[: len(rows)])
    print(f"the {len(rows)} largest |residuals| are the outliers: {np.array_equal(largest, rows)}")


def main(argv: list[str] | None = None) -> int:
    """Compute the data set, write the two CSV files and print the provenance numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=default_shared_dir())
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    original = read_original(args.shared)
    measured = original["z_factor"].to_numpy()
    computed = coolprop_z(original["temperature_k"].to_numpy(), original["pressure_atm"].to_numpy())
    if not np.all(np.isfinite(computed)):
        raise RuntimeError("CoolProp returned non-finite Z values")

    by_eos = find_outliers(measured, computed)
    by_neighbours = find_outliers(measured, neighbour_median(original))
    if not np.array_equal(by_eos, by_neighbours):
        raise RuntimeError(f"outlier tests disagree: {by_eos} vs {by_neighbours}")
    ratio = measured[by_eos] * DIVISOR / computed[by_eos]
    if not np.all(np.abs(ratio - 1.0) < 0.02):
        raise RuntimeError(f"not all outliers are the true value / 1e4: ratios {ratio}")

    ours = original[["temperature_k", "pressure_atm"]].copy()
    ours["z_factor"] = computed
    ours.to_csv(args.out / "compressibility_factor.csv", index=False, float_format="%.10g")
    # grid positions only: the lesson's wrong values are made from our Z by the loader
    ours.iloc[by_eos, :2].to_csv(
        args.out / "compressibility_factor_outliers.csv", index=False, float_format="%.10g"
    )

    diff = np.abs(computed - measured)
    clean = np.ones(len(diff), dtype=bool)
    clean[by_eos] = False
    print(f"{len(ours)} rows written to {args.out}")
    print(
        f"|Z_coolprop - Z_measured| without the outliers ({clean.sum()} rows): "
        f"{summary(diff[clean])}"
    )
    print(f"|Z_coolprop - Z_measured| all {len(diff)} rows: {summary(diff)}")
    worst = np.argmax(np.where(clean, diff, -1.0))
    print(f"largest clean difference at row {worst + 1}: {ours.iloc[worst].to_dict()}")
    print(f"{len(by_eos)} outliers (1-based row, T, P, measured Z, computed Z, measured*1e4):")
    for i in by_eos:
        print(
            f"  {i + 1:5d} {ours.iloc[i, 0]:7.1f} {ours.iloc[i, 1]:8.3f} "
            f"{measured[i]:.6e} {computed[i]:.4f} {measured[i] * DIVISOR:.4f}"
        )
    print_lesson(ours, by_eos)
    return 0


if __name__ == "__main__":
    sys.exit(main())
