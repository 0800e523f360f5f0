"""Write dam_desktop/services/component_catalogue.py from the models (after adding or changing a
component; tests/test_component_catalogue.py says when it is due).

    .venv/bin/python scripts/write_component_catalogue.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HEADER = '''"""The component tables and their shown columns, as the models declare them: written by
`scripts/write_component_catalogue.py`, kept equal to the models by a test. `dam-desktop show`
reads a current library with it and plain sqlite3, without loading the ORM (`entity_values`)."""

from __future__ import annotations

from dam_desktop.services.entity_values import Catalogue

COMPONENTS: Catalogue = {
'''


def render() -> str:
    from dam_desktop.services.entity_dump import catalogue_from_models

    lines = [HEADER]
    for table, (name, columns) in sorted(catalogue_from_models().items()):
        lines.append(f"    {table!r}: (\n        {name!r},\n        (\n")
        lines.extend(f"            ({column!r}, {kind!r}),\n" for column, kind in columns)
        lines.append("        ),\n    ),\n")
    lines.append("}\n")
    return "".join(lines).replace("'", '"')


def main() -> int:
    target = REPO / "dam_desktop" / "services" / "component_catalogue.py"
    target.write_text(render())
    print(f"wrote {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
