"""One self-contained HTML page from a report's blocks: embedded PNGs, sortable tables.

The blocks are those of :mod:`graddescent.report`: ``("h1" | "h2" | "p", text)``,
``("table", header, rows)`` and ``("img", path of a PNG, alt text)``. Text may use the
report's bits of Markdown (``*emphasis*``, ```code```, ``\\*`` for a literal star). A click on
a column header sorts the table by that column (numbers numerically; "-" and "not reached"
last), a second click reverses it.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from pathlib import Path

__all__ = ["page"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1280px; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.8em; margin: 1em 0; }
th, td { padding: 0.3em 0.6em; border-bottom: 1px solid #e5e5e5; text-align: right;
         white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; cursor: pointer; position: sticky; top: 0; user-select: none;
     white-space: normal; vertical-align: bottom; }
div.scroll { overflow-x: auto; }
th:hover { background: #e4e9f2; }
th.asc::after { content: " \\25B2"; } th.desc::after { content: " \\25BC"; }
tr:nth-child(even) td { background: #fafafa; }
td.na { color: #999; }
img { max-width: 100%; height: auto; display: block; margin: 1em 0; }
p.hint { color: #666; font-size: 0.85em; margin: 0; }
"""

_SCRIPT = """
function sortTable(th) {
  const table = th.closest("table"), col = th.cellIndex, body = table.tBodies[0];
  const asc = !th.classList.contains("asc");
  table.querySelectorAll("th").forEach(h => h.classList.remove("asc", "desc"));
  th.classList.add(asc ? "asc" : "desc");
  const key = td => { const v = parseFloat(td.textContent); return isNaN(v) ? null : v; };
  const rows = Array.from(body.rows);
  const numeric = rows.some(r => key(r.cells[col]) !== null);
  rows.sort((a, b) => {
    if (!numeric) return (asc ? 1 : -1) * a.cells[col].textContent.localeCompare(
      b.cells[col].textContent);
    const x = key(a.cells[col]), y = key(b.cells[col]);
    if (x === null) return y === null ? 0 : 1;  // "-" and "not reached" always last
    if (y === null) return -1;
    return asc ? x - y : y - x;
  });
  rows.forEach(r => body.appendChild(r));
}
"""


def _inline(text: str) -> str:
    pieces = re.split(r"`([^`]+)`", html.escape(text, quote=False))
    for k in range(0, len(pieces), 2):  # outside code spans
        pieces[k] = re.sub(r"(?<![\\\w])\*(?!\s)(.+?)(?<![\s\\])\*(?!\w)", r"<em>\1</em>",
                           pieces[k]).replace("\\*", "*").replace("\\_", "_")
    for k in range(1, len(pieces), 2):
        pieces[k] = f"<code>{pieces[k]}</code>"
    return "".join(pieces)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f'<th onclick="sortTable(this)" title="sort">{html.escape(h)}</th>'
                   for h in header)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="na">{html.escape(c)}</td>' if c in ("-", "not reached")
            else f"<td>{html.escape(c)}</td>" for c in row)
        body.append(f"<tr>{cells}</tr>")
    return (f'<p class="hint">Click a column header to sort.</p>'
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def page(title: str, blocks: Sequence[tuple]) -> str:
    """The HTML page of ``blocks`` (see the module documentation), everything inline.

    Parameters
    ----------
    title : str
    blocks : sequence of tuple

    Returns
    -------
    str
    """
    parts = []
    for kind, *rest in blocks:
        if kind == "h2":  # a data set's name (user text): literal
            parts.append(f"<h2>{html.escape(rest[0])}</h2>")
        elif kind in ("h1", "p"):
            parts.append(f"<{kind}>{_inline(rest[0])}</{kind}>")
        elif kind == "table":
            parts.append(_table(*rest))
        elif kind == "img":
            parts.append(_image(*rest))
        else:
            raise ValueError(f"unknown block {kind!r}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style>"
            f"<script>{_SCRIPT}</script></head>\n<body>\n" + "\n".join(parts)
            + "\n</body></html>\n")
