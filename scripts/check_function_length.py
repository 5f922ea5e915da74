"""Fail when a function in vigil/, bench/ or scripts/ runs over 80 lines (migrations aside).

A long function is split into named steps, so each reads as one thing; migrations are
generated and left as Django writes them.
"""

import ast
import sys
from pathlib import Path

LIMIT = 80
ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("vigil", "bench", "scripts")


def functions_too_long(*, root: Path) -> list[tuple[int, str, str]]:
    """(lines, "path:line", name) of every function over LIMIT lines, decorators left out."""
    found = []
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    lines = node.end_lineno - node.lineno + 1
                    if lines > LIMIT:
                        where = f"{path.relative_to(root)}:{node.lineno}"
                        found.append((lines, where, node.name))
    return found


def main() -> int:
    found = functions_too_long(root=ROOT)
    for lines, where, name in found:
        print(f"{where}: {name} is {lines} lines (at most {LIMIT}): split it into named steps")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
