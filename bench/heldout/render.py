"""HTML + CSS for laid-out pages, printed to PDF by headless Chromium and rasterised by poppler's pdftoppm."""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from bench.heldout.content import Run
from bench.heldout.layout import FONT_FILES, Line, Page, TableBox

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]
CSS = """
@page { size: 210mm 297mm; margin: 0; }
html, body { margin: 0; padding: 0; }
.pg { position: relative; width: 210mm; height: 296.8mm; overflow: hidden; break-after: page; color: #111; }
.pg:last-child { break-after: auto; }
.l { position: absolute; white-space: nowrap; }
.j { text-align: justify; text-align-last: justify; }
.c { text-align: center; } .s { text-align: left; }
.u { border-bottom: 0.3mm solid #111; padding-bottom: 0.25mm; }
.gap { display: inline-block; }
table.hd { position: absolute; border-collapse: collapse; table-layout: fixed; }
table.hd td { padding: 0; vertical-align: top; }
table.hd div { white-space: nowrap; text-align: center; }
table.g { position: absolute; border-collapse: collapse; table-layout: fixed; }
table.g td { border: 0.28mm solid #111; padding: 0 1.2mm; white-space: nowrap; overflow: hidden; }
.rule { position: absolute; border-top-style: solid; border-color: #111; }
"""


def _font_faces() -> str:
    out = []
    for family, files in FONT_FILES.items():
        for i, path in enumerate(files):
            weight, style = ("bold" if i % 2 else "normal"), ("italic" if i >= 2 else "normal")
            out.append(
                f'@font-face {{ font-family: "HD {family}"; src: url("file://{path}"); '
                f"font-weight: {weight}; font-style: {style}; }}"
            )
    return "\n".join(out)


def _runs(runs: list[Run]) -> str:
    parts = []
    for r in runs:
        if r.gap:
            parts.append(f'<span class="gap" style="width:{r.gap:.2f}mm"></span>')
            continue
        style = ("font-weight:bold;" if r.bold else "") + ("font-style:italic;" if r.italic else "")
        text = html.escape(r.text).replace("  ", " &nbsp;")
        parts.append(f'<span style="{style}">{text}</span>' if style else text)
    return "".join(parts)


def _box(line: Line) -> str:
    inner = _runs(line.runs)
    return f'<span class="u">{inner}</span>' if line.underline else inner


def _line(line: Line) -> str:
    cls = {"justify": "j", "center": "c"}.get(line.align, "s")
    return (
        f'<div class="l {cls}" style="left:{line.x:.2f}mm;top:{line.y:.2f}mm;width:{line.w:.2f}mm;'
        f'height:{line.h:.2f}mm;line-height:{line.h:.2f}mm;font-size:{line.size}pt">{_box(line)}</div>'
    )


def _column(lines: list[Line], top: float) -> str:
    out, y = [], top
    for line in sorted(lines, key=lambda ln: ln.y):
        if line.y > y + 0.005:
            out.append(f'<div style="height:{line.y - y:.3f}mm"></div>')
        out.append(
            f'<div style="height:{line.h:.3f}mm;line-height:{line.h:.3f}mm;font-size:{line.size}pt">{_box(line)}</div>'
        )
        y = line.y + line.h
    return "".join(out)


def _table(t: TableBox) -> str:
    cols = "".join(f'<col style="width:{w:.2f}mm">' for w in t.widths)
    rows = []
    for i, row in enumerate(t.rows):
        head = t.head and i == 0
        cells = []
        for j, cell in enumerate(row):
            align = "center" if head or j == 0 or cell.replace(",", "").isdigit() else "left"
            weight = "font-weight:bold;" if head else ""
            cells.append(f'<td style="text-align:{align};{weight}">{html.escape(cell)}</td>')
        rows.append(f'<tr style="height:{t.row_h:.2f}mm">{"".join(cells)}</tr>')
    return (
        f'<table class="g" style="left:{t.x:.2f}mm;top:{t.y:.2f}mm;width:{sum(t.widths):.2f}mm;font-size:{t.size}pt">'
        f"<colgroup>{cols}</colgroup>{''.join(rows)}</table>"
    )


def page_html(page: Page, family: str) -> str:
    parts = [f'<div class="pg" style="font-family:\'HD {family}\'">']
    if page.header:
        hx, top, lw, g, rw = page.header
        left = [ln for ln in page.lines if ln.col == "hl"]
        right = [ln for ln in page.lines if ln.col == "hr"]
        parts.append(
            f'<table class="hd" style="left:{hx:.2f}mm;top:{top:.2f}mm;width:{lw + g + rw:.2f}mm">'
            f'<colgroup><col style="width:{lw:.2f}mm"><col style="width:{g:.2f}mm"><col style="width:{rw:.2f}mm">'
            f"</colgroup><tr><td>{_column(left, top)}</td><td></td><td>{_column(right, top)}</td></tr></table>"
        )
    parts += [_line(ln) for ln in page.lines if not ln.col]
    parts += [_table(t) for t in page.tables]
    parts += [
        f'<div class="rule" style="left:{r.x:.2f}mm;top:{r.y:.2f}mm;width:{r.w:.2f}mm;'
        f'border-top-width:{r.thick}mm"></div>'
        for r in page.rules
    ]
    parts.append("</div>")
    return "".join(parts)


def document_html(docs: list[tuple[list[Page], str]]) -> str:
    """One HTML file holding every page of every document, in order."""
    body = "\n".join(page_html(p, family) for pages, family in docs for p in pages)
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{_font_faces()}{CSS}</style></head><body>{body}</body></html>'  # noqa: E501


def print_pdf(html_text: str, pdf: Path, timeout: float = 180) -> Path:
    """Print HTML to PDF with headless Chromium (one browser start for the whole batch)."""
    with tempfile.TemporaryDirectory(prefix="heldout-chromium-") as tmp:
        src = Path(tmp) / "batch.html"
        src.write_text(html_text, encoding="utf-8")
        cmd = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={pdf}", src.as_uri()]
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        if done.returncode != 0 or not pdf.exists():
            raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr.decode(errors='replace')[-800:]}")
    return pdf


def rasterise(pdf: Path, page: int, dpi: float) -> np.ndarray:
    """One PDF page (1-based) as an RGB array at `dpi`."""
    with tempfile.TemporaryDirectory(prefix="heldout-ppm-") as tmp:
        out = Path(tmp) / "p"
        cmd = [
            "pdftoppm",
            "-r",
            f"{dpi:g}",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            "-png",
            str(pdf),
            str(out),
        ]
        subprocess.run(cmd, check=True, capture_output=True)
        with Image.open(out.with_suffix(".png")) as im:
            return np.asarray(im.convert("RGB")).copy()


def rasterise_range(pdf: Path, first: int, last: int, dpi: float, out_dir: Path) -> dict[int, Path]:
    """Pages first..last (1-based) as PNG files at `dpi` in one poppler run: {page number: path}."""
    prefix = out_dir / f"r{first}"
    cmd = ["pdftoppm", "-r", f"{dpi:g}", "-f", str(first), "-l", str(last), "-png", str(pdf), str(prefix)]
    subprocess.run(cmd, check=True, capture_output=True)
    return {int(p.stem.rsplit("-", 1)[1]): p for p in out_dir.glob(f"r{first}-*.png")}


def load_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB")).copy()


def tools_available() -> bool:
    return Path(CHROMIUM).exists() and shutil.which("pdftoppm") is not None
