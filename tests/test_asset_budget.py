"""JavaScript and CSS stay small: the gzip budgets stated in docs/design.md ("Budgets").

Every file of static/js and static/css counts, whether a page loads it or not: what is in the
tree is what the site ships. Vendored libraries (static/vendor) have their own budget, because
they are chosen once and pinned rather than grown line by line.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
KB = 1024

# Keep in step with docs/design.md, section "Budgets".
JS_BUDGET = 64 * KB  # all of static/js, gzip (a page loads only its own modules)
CSS_BUDGET = 12 * KB  # all of static/css, gzip
MODULE_BUDGET = 10 * KB  # any one of our modules, gzip: a bigger one should be split
VENDOR_BUDGET = 60 * KB  # static/vendor scripts, gzip


def gzip_size(path: Path) -> int:
    """Bytes of the file gzipped at level 9, as a server or CDN would send it."""
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def total(folder: str, suffix: str) -> tuple[int, dict[str, int]]:
    """The gzip size of every file with the suffix under static/<folder>, and per file."""
    sizes = {str(p.relative_to(STATIC)): gzip_size(p)
             for p in sorted((STATIC / folder).rglob(f"*{suffix}"))}
    return sum(sizes.values()), sizes


def test_javascript_within_budget():
    size, files = total("js", ".js")
    assert files, "static/js holds the site's modules"
    assert size <= JS_BUDGET, f"JS {size} B gzip > {JS_BUDGET} B: {files}"
    too_big = {name: n for name, n in files.items() if n > MODULE_BUDGET}
    assert not too_big, f"modules over {MODULE_BUDGET} B gzip: {too_big}"


def test_css_within_budget():
    size, files = total("css", ".css")
    assert files, "static/css holds the stylesheet"
    assert size <= CSS_BUDGET, f"CSS {size} B gzip > {CSS_BUDGET} B: {files}"


def test_vendored_scripts_within_budget():
    size, files = total("vendor", ".js")
    assert size <= VENDOR_BUDGET, f"vendored JS {size} B gzip > {VENDOR_BUDGET} B: {files}"


def test_design_doc_states_the_same_budgets():
    """The numbers people read are the numbers the test enforces."""
    doc = (ROOT / "docs" / "design.md").read_text()
    section = doc[doc.index("## Budgets"):]
    stated = {name: int(kb) for name, kb in
              re.findall(r"\*\*(JavaScript|CSS|one module|vendored)\*\*[^0-9]*(\d+) KB", section)}
    assert stated == {"JavaScript": JS_BUDGET // KB, "CSS": CSS_BUDGET // KB,
                      "one module": MODULE_BUDGET // KB, "vendored": VENDOR_BUDGET // KB}, stated
