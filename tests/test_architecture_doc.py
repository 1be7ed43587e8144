"""ARCHITECTURE.md's table of what may import what is the one the import check enforces
(tests/test_architecture.py's BELOW), and every folder of the package has its one rule there."""
from __future__ import annotations

import re
from pathlib import Path

from test_architecture import BELOW, PACKAGE, SUBPACKAGES

DOC = Path(__file__).resolve().parent.parent / "ARCHITECTURE.md"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"### {title}")
    end = text.find("\n## ", start)
    return text[start:end if end != -1 else len(text)]


def documented_imports(section: str) -> dict[str, set[str]]:
    table = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not re.fullmatch(r"`\w+`", cells[0]):
            continue
        stage = cells[0].strip("`")
        assert stage not in table, f"{stage} twice in ARCHITECTURE.md"
        table[stage] = set(re.findall(r"`(\w+)`", cells[1]))
    return table


def test_the_documented_table_is_the_enforced_one():
    assert documented_imports(_section("What may import what")) == BELOW


def test_the_parser_sees_a_difference():
    section = _section("What may import what").replace("| `pdf` | `base`, `style`,",
                                                        "| `pdf` | `base`, `build`, `style`,")
    assert documented_imports(section)["pdf"] == BELOW["pdf"] | {"build"}
    assert documented_imports(section) != BELOW


def test_every_folder_has_its_rule():
    text = DOC.read_text(encoding="utf-8")
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert set(folders) == set(SUBPACKAGES)  # (a folder of the package that is no stage is caught there)
    missing = [f for f in folders if not re.search(rf"^\| `{f}/`", text, re.M)]
    assert missing == [], missing
