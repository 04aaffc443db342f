"""Print the imports between govhall apps and any 2-cycles (ADR 0006).

Product code only: tests and migrations are skipped. Usage:
``python docs/appgraph.py [repository root]``.
"""

import ast
import collections
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
edges = collections.defaultdict(set)
for p in (root / "govhall").rglob("*.py"):
    parts = p.relative_to(root / "govhall").parts
    if len(parts) < 2 or "tests" in parts or "migrations" in parts:
        continue
    app = parts[0]
    try:
        tree = ast.parse(p.read_text())
    except SyntaxError:
        continue
    for n in ast.walk(tree):
        mods = []
        if isinstance(n, ast.ImportFrom) and n.module and n.level == 0:
            mods = [n.module]
        elif isinstance(n, ast.Import):
            mods = [a.name for a in n.names]
        for m in mods:
            if m.startswith("govhall."):
                dep = m.split(".")[1]
                if dep != app and (root / "govhall" / dep).is_dir():
                    edges[app].add(dep)
for a in sorted(edges):
    print(a, "->", " ".join(sorted(edges[a])))


# cycles
def cycles():
    found = set()
    for a in edges:
        for b in edges[a]:
            if a in edges.get(b, ()):
                found.add(tuple(sorted((a, b))))
    return found


print("2-cycles:", sorted(cycles()))
