"""What the replay raises where R gradDescent 3.0 itself stops with an error."""

from __future__ import annotations

__all__ = ["RError"]


class RError(ValueError):
    """An error R gradDescent 3.0 itself raises for these arguments (the replay raises it too)."""
