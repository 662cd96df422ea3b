"""The penalties, one module each (see :mod:`graddescent.problems.base`); their rows are in
:mod:`graddescent.problems.registry`."""
