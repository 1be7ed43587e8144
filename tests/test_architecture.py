"""The package's shape: each stage imports only from the stages below it (ARCHITECTURE.md).

Every ``import`` of every module is read with ``ast``, those inside functions included (the
heavy libraries are imported lazily, and so are some of our own modules), so a lazy import
against the flow is caught as surely as one at the top of a file."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"

# stage -> the stages it may import from (besides itself). Keep in step with ARCHITECTURE.md.
BELOW = {
    "base": set(),
    "style": {"base"},
    "rules": {"base"},
    "input": {"base", "rules", "style"},
    "cards": {"base", "rules", "input"},
    "commentary": {"base", "rules", "input", "cards"},
    "document": {"base", "rules", "input", "cards"},
    # data-quality checks and the comparison with the register: pure, over the tables and cards
    "quality": {"base", "style", "rules", "input", "cards"},
    # the register of published figures (SQLite): records cards, gives rows to quality's comparison
    "register": {"base", "rules", "input", "cards", "quality"},
    "charts": {"base", "style", "rules", "document"},
    "pdf": {"base", "style", "rules", "document", "charts"},
    "docx": {"base", "style", "rules", "document", "charts"},
    "html": {"base", "style", "rules", "document", "charts"},
    "build": {"base", "style", "rules", "input", "cards", "commentary", "document", "charts", "pdf", "docx",
              "html", "quality", "register"},
    "pack": {"base", "style", "rules", "input", "cards", "commentary", "document", "charts", "pdf", "docx",
             "html", "build", "quality", "register"},
    # a council month: builds its reports as `build` does, each in its own process
    "council": {"base", "style", "rules", "input", "cards", "commentary", "document", "charts", "pdf", "docx",
                "html", "build", "quality", "register"},
    "mail": {"base", "style", "rules", "input", "cards", "commentary", "document", "charts", "pdf", "docx",
             "html", "build", "pack", "quality", "register"},
    # the analysts' Python API: a report's cards as a table (pandas)
    "api": {"base", "rules", "input", "cards"},
}
BELOW["commands"] = set(BELOW) - {"commands"}
BELOW["cli"] = {"base", "commands"}

# top-level modules of the package and the stage each belongs to
TOP_LEVEL = {"errors": "base", "build": "build", "cli": "cli", "__main__": "cli", "__init__": "base", "api": "api"}
SUBPACKAGES = {"infra": "base", "style": "style", "rules": "rules", "input": "input", "cards": "cards",
               "commentary": "commentary", "document": "document", "charts": "charts", "pdf": "pdf",
               "docx": "docx", "html": "html", "pack": "pack", "mail": "mail", "commands": "commands",
               "quality": "quality", "register": "register", "council": "council"}


def stage_of(dotted: str) -> str | None:
    """The stage of ``pipeline.x.y`` (None for the bare package's attributes we allow)."""
    parts = dotted.split(".")
    if parts[0] != "pipeline":
        return None
    if len(parts) == 1:
        return "base"  # `from pipeline import __version__`
    head = parts[1]
    if head in SUBPACKAGES:
        return SUBPACKAGES[head]
    if head in TOP_LEVEL:
        return TOP_LEVEL[head]
    raise AssertionError(f"pipeline.{head} belongs to no stage: add it to ARCHITECTURE.md and this test")


def modules(package: Path = PACKAGE):
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).with_suffix("")
        yield ".".join(rel.parts), path


def imports_of(path: Path, dotted: str):
    package = dotted.rsplit(".", 1)[0] if not path.name == "__init__.py" else dotted
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "pipeline":  # `from pipeline import x`: x may be a module
                for alias in node.names:
                    root = path.parents[len(dotted.split(".")) - 2] if "." in dotted else path.parent
                    yield node.lineno, f"pipeline.{alias.name}" if (root / alias.name).exists() or \
                        (root / f"{alias.name}.py").exists() else "pipeline"
            else:
                yield node.lineno, target


def test_every_module_belongs_to_a_stage():
    for dotted, _ in modules():
        assert stage_of(dotted) is not None, dotted


def test_the_flat_folder_is_gone():
    flat = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in TOP_LEVEL)
    assert flat == [], f"modules outside any stage's folder: {flat}"


def against_the_flow(package: Path = PACKAGE) -> list[str]:
    wrong = []
    for dotted, path in modules(package):
        here = stage_of(dotted)
        for line, target in imports_of(path, dotted):
            there = stage_of(target)
            if there is None or there == here:
                continue
            if there not in BELOW[here]:
                wrong.append(f"{path.relative_to(package.parent)}:{line}: {here} imports {target} ({there})")
    return wrong


def test_each_stage_imports_only_from_below():
    wrong = against_the_flow()
    assert wrong == [], "imports against the flow:\n" + "\n".join(wrong)


def test_the_check_finds_an_import_against_the_flow(tmp_path):
    """A rule that lets everything through would pass the test above too: show it catches
    a lazy import from a stage above, in both spellings."""
    package = tmp_path / "pipeline"
    (package / "rules").mkdir(parents=True)
    (package / "rules" / "rating.py").write_text(
        "def f():\n    from pipeline.pdf.render import x\n    from pipeline import build\n")
    (package / "build.py").write_text("from pipeline.rules import rating\n")
    wrong = against_the_flow(package)
    assert len(wrong) == 2 and "rules imports pipeline.pdf.render (pdf)" in wrong[0], wrong


def test_no_private_names_across_modules():
    """A module uses another's public names only: `_short` imported across modules hid a
    shared helper that belonged in one place."""
    wrong = []
    for dotted, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        wrong.append(f"{dotted} imports {node.module}.{alias.name}")
    assert wrong == []


@pytest.mark.parametrize("bad, stage", [("pipeline.rules.rating", "rules"), ("pipeline.pdf.render", "pdf")])
def test_the_checker_itself_sees_stages(bad, stage):
    assert stage_of(bad) == stage
