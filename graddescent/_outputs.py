"""The one writer of output files: never over an input, never two runs' files mixed.

Every file the package writes for a command (a comparison's report folder, ``fit``'s
predictions and figure) goes through here:

* :func:`check_target` refuses a target that is one of the run's input files (whatever the
  path's spelling: the same file is recognised through links and relative paths), and a file
  already there unless ``overwrite`` is given;
* :class:`ReportFolder` writes a report into a folder: when the folder already holds a report
  it is refused, or (``overwrite``) that report is removed whole first (the files listed in its
  manifest, :data:`MANIFEST`, and the report's own names), so a folder never mixes the figures
  of two runs; the new report's manifest is written last;
* :func:`report_names` gives each data set a file-name stem that no other data set's can
  equal (``x y`` and ``x_y`` included, and on case-insensitive file systems too).

Errors are ``OutputError`` (a ValueError) naming the file and saying what to do.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

__all__ = ["MANIFEST", "OutputError", "ReportFolder", "check_target", "report_names",
           "same_file"]

#: The file listing a report's files in its folder (what ``overwrite`` removes).
MANIFEST = ".graddescent-report"


class OutputError(ValueError):
    """A file the run would write is an input, or holds earlier output (not to be replaced)."""


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when ``a`` and ``b`` name the same file (through links and relative paths)."""
    a, b = Path(a), Path(b)
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _refuse_inputs(target: Path, inputs: Iterable[str | Path], overwrite_option: str) -> None:
    for source in inputs:
        if same_file(target, source):
            raise OutputError(f"refusing to write {str(target)!r}: it is an input file of "
                              f"this run ({str(source)!r}); choose another output name.")


def check_target(path: str | Path, inputs: Iterable[str | Path] = (), *,
                 overwrite: bool = False, overwrite_option: str = "overwrite=True") -> Path:
    """``path`` as a Path, once it is known safe to write.

    Raises ``OutputError`` when it is one of ``inputs`` (always) or an existing file and
    ``overwrite`` is false (``overwrite_option`` names how to allow it), or a folder.
    """
    target = Path(path)
    _refuse_inputs(target, inputs, overwrite_option)
    if target.is_dir():
        raise OutputError(f"cannot write {str(target)!r}: it is a folder; give a file name.")
    if target.exists() and not overwrite:
        raise OutputError(f"{str(target)!r} already exists; give {overwrite_option} to replace "
                          f"it, or another file name.")
    return target


def report_names(datasets: Sequence[str]) -> dict[str, str]:
    """A file-name stem per data set name, distinct for distinct names.

    A name made of lower-case letters, digits, ``-`` and ``_`` is its own stem; any other
    (spaces, slashes, capitals, other characters) is made safe and gets 8 hex digits of its
    SHA-1, so ``"x y"`` (``x_y-…``) and ``"x_y"`` never share figure files.
    """
    out: dict[str, str] = {}
    for name in datasets:
        safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_"
                       for c in name).lower()[:80] or "data"
        if safe != name:
            safe += "-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
        out[name] = safe
    return out


class ReportFolder:
    """A report's folder, made ready for a new report (see the module documentation).

    Parameters
    ----------
    folder : str or Path
        Created when missing.
    names : sequence of str
        The report's fixed file names (``results.csv``, ``report.md``, ...): an earlier report
        is recognised by them or by its manifest.
    inputs : iterable of str or Path
        The run's input files: never written nor removed.
    overwrite : bool
        Replace an earlier report whole (else it is refused).
    overwrite_option : str
        How the user says ``overwrite`` (for the messages).
    """

    def __init__(self, folder: str | Path, names: Sequence[str], inputs: Iterable[str | Path] = (),
                 *, overwrite: bool = False, overwrite_option: str = "overwrite=True",
                 patterns: Sequence[str] = ()) -> None:
        earlier = self.check(folder, names, inputs, overwrite=overwrite,
                             overwrite_option=overwrite_option, patterns=patterns)
        self.folder = Path(folder)
        self.inputs = [Path(p) for p in inputs]
        self.overwrite_option = overwrite_option
        self.folder.mkdir(parents=True, exist_ok=True)
        for name in earlier:  # the earlier report, whole: no figure of it is left behind
            path = self.folder / name
            if path.is_file() or path.is_symlink():
                path.unlink()
        manifest = self.folder / MANIFEST
        if manifest.exists():
            manifest.unlink()
        self.written: list[Path] = []

    @staticmethod
    def check(folder: str | Path, names: Sequence[str], inputs: Iterable[str | Path] = (), *,
              overwrite: bool = False, overwrite_option: str = "overwrite=True",
              patterns: Sequence[str] = ()) -> list[str]:
        """Check, changing nothing, that a report may be written into ``folder``; return the
        earlier report's files (what ``overwrite`` removes). Raises ``OutputError``.

        An earlier report without a manifest (written before there was one) is recognised by
        ``names``; its other files by the glob ``patterns`` (its figures' names)."""
        folder = Path(folder)
        inputs = [Path(p) for p in inputs]
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"cannot write a report into {str(folder)!r}: it is a file, not "
                              f"a folder.")
        manifest = folder / MANIFEST
        earlier = [n for n in names if (folder / n).exists()]
        if manifest.is_file():
            earlier += [line for line in manifest.read_text(encoding="utf-8").splitlines()
                        if line and "/" not in line and "\\" not in line
                        and line not in earlier and line not in ("..", ".")]
        elif earlier:
            earlier += sorted({p.name for pattern in patterns for p in folder.glob(pattern)
                               if p.is_file()} - set(earlier))
        for name in [*names, *earlier]:
            _refuse_inputs(folder / name, inputs, overwrite_option)
        if earlier and not overwrite:
            shown = ", ".join(earlier[:4]) + (", ..." if len(earlier) > 4 else "")
            raise OutputError(f"{str(folder)!r} already holds a report ({shown}); give "
                              f"{overwrite_option} to replace it whole, or another folder.")
        return earlier

    def path(self, name: str) -> Path:
        """Where the report's file ``name`` goes (checked not to be an input)."""
        target = self.folder / name
        _refuse_inputs(target, self.inputs, self.overwrite_option)
        return target

    def write(self, name: str, write: Callable[[Path], object]) -> Path:
        """Write the file ``name`` with ``write(path)``; remember it for the manifest."""
        target = self.path(name)
        write(target)
        self.written.append(target)
        return target

    def close(self) -> None:
        """Write the manifest: the files of this report, one name a line."""
        (self.folder / MANIFEST).write_text(
            "".join(f"{p.name}\n" for p in self.written), encoding="utf-8")
