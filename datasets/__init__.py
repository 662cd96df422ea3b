"""Data files of :mod:`graddescent.datasets`, installed as the package ``graddescent._data``.

This folder holds the CSV files, the scripts that generated them (``make_*.py``, run as
scripts, never imported by the library) and ``PROVENANCE.md``.  Load the data with the
functions of :mod:`graddescent.datasets`, not from here.
"""
