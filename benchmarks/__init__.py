"""Benchmarks of graddescent against scikit-learn (run ``python -m benchmarks.run``)."""
