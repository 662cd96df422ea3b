"""R-replay mode: R gradDescent 3.0's numbers, bugs included.

The main API implements each method as its paper defines it. This subpackage is the one place
that instead reproduces what R gradDescent 3.0 computes, step for step and draw for draw: R's
row shuffle, its initial theta, its lists of sample rows (all drawn with R's own random numbers,
see :class:`RRandom`), its per-coordinate update order, its long-double sums and every deviation
listed in ALGORITHMS.md section 5. Use it to migrate from R and check that the numbers agree;
use the main API for the algorithms themselves. The main engine does not depend on it.

Every learner takes the names of R's arguments in snake_case with R's defaults and returns theta
(intercept first) in the units of ``data_train``. ``split_data``, ``learn`` and ``predict``
mirror R's ``splitData``, ``gradDescentR.learn`` and ``predict``.

R re-seeds its global generator inside the learners: ``set.seed(seed)`` before each seeded draw
and ``set.seed(NULL)`` (a clock seed) after some of them. Draws R makes after ``set.seed(NULL)``
cannot be replayed; they come from the ``unseeded_rng`` keyword of every function here (all draws
do when ``seed`` is None). Passing the same ``unseeded_rng`` makes a run reproducible.

Modules, one concern each: :mod:`~graddescent.r_replay.rng` (R's Mersenne-Twister),
:mod:`~graddescent.r_replay.session` (R's ``set.seed`` calls and each learner's preamble),
:mod:`~graddescent.r_replay.arithmetic` (R's summation order), :mod:`~graddescent.r_replay.rules`
(R's update rules), :mod:`~graddescent.r_replay.algorithms` (what each learner computes),
:mod:`~graddescent.r_replay.learners` (the 14 public learners, built from the registry) and
:mod:`~graddescent.r_replay.workflow` (``split_data``, ``learn``, ``predict``).
"""

from __future__ import annotations

from .errors import RError
from .learners import LEARNERS
from .rng import RRandom
from .workflow import RReplayModel, SplitData, learn, predict, split_data

# The 14 learners, under R's names (GD, MBGD, ..., SARAHPlus): the entries of LEARNERS.
globals().update(LEARNERS)

__all__ = ["LEARNERS", "RError", "RRandom", "RReplayModel", "SplitData", "learn", "predict",
           "split_data"]
__all__ += list(LEARNERS)
