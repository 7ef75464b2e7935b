"""Browser tests wait with arrow-function predicates, never bare expressions.

Playwright evaluates a bare-expression predicate with eval() when it has to poll, which the
site's CSP (no 'unsafe-eval') refuses: such a wait passes only when its condition already holds
at the first check, and fails on a slower machine. An arrow function is not eval'd.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent
WAIT = re.compile(r"wait_for_function\(\s*f?([\"'])(.*?)\1", re.S)


def test_every_wait_for_function_predicate_is_a_function():
    bare = []
    for path in sorted(TESTS.glob("*.py")):
        for match in WAIT.finditer(path.read_text()):
            body = match.group(2).lstrip()
            if not re.match(r"(async\s*)?(\([^)]*\)|\w+)\s*=>|function\b", body):
                line = path.read_text().count("\n", 0, match.start()) + 1
                bare.append(f"{path.name}:{line}: {body[:60]}")
    assert bare == [], "use '() => …' predicates:\n" + "\n".join(bare)
