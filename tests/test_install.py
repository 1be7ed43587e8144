"""The tool installs the way Python users install it, and the installed copy works.

The wheel is built from this checkout (``pip wheel . --no-deps``, the same setuptools build a
plain ``pip install .`` runs before it installs that wheel, so this covers ``pip install .``
too), installed into a fresh virtual environment outside the repository (no system
site-packages, no pip configuration, no PYTHONPATH), and run from a folder that is not the
repository: ``--help``, ``--version``, ``validate`` and ``build`` of a copy of the sample. The
editable install of the README is what every other test runs on; it hides a module that
only works beside the repository (a file found relative to the checkout, a submodule that
something else happened to import), and this test does not.

The dependencies are installed with ``--no-index`` from wheels made of the distributions of
the environment running the tests (:func:`wheelhouse`), under ``constraints.txt``: the exact
versions the project pins, offline, without downloading anything. pip still resolves the wheel's own declared
requirements, so a library the code imports but the metadata does not declare is missing
from the fresh environment and the run fails. (Resolving ``constraints.txt`` against the
package index is what ``.ci/run`` does every time it installs.)

pipx is tested the same way: ``pipx install`` of the wheel into a PIPX_HOME of its own.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "fsc_performance_2013-09.xlsx"
CONSTRAINTS = ROOT / "constraints.txt"
SUBJECT = "Families and Social Care Performance Dashboard for September 2013"  # the sample's report sheet

# what a wheelhouse leaves out: the project (installed from its own wheel) and the installers
# (a fresh virtual environment has its own pip)
NOT_IN_WHEELHOUSE = {"committee-pipeline", "pip", "setuptools", "wheel", "pipx"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _clean_env(**extra) -> dict[str, str]:
    """The environment for a process of the fresh installation: no pip configuration (the
    wheelhouse is the only source), nothing that would put the checkout on sys.path."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV", "PIPX_"))}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def _run(args, cwd, env=None, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env or _clean_env(), capture_output=True,
                          text=True, timeout=timeout)


def _wheel_of_installed(dist: metadata.Distribution, out: Path) -> Path | None:
    """A wheel made of an installed distribution's files (those its RECORD lists inside
    site-packages; scripts are made again by pip from the entry points). None when it has no
    RECORD or WHEEL file (not installed from a wheel)."""
    record, wheel_meta = dist.read_text("RECORD"), dist.read_text("WHEEL")
    if record is None or wheel_meta is None:
        return None
    tags = [line.split(":", 1)[1].strip() for line in wheel_meta.splitlines() if line.startswith("Tag:")]
    info_dir = next((f.parts[0] for f in dist.files or () if len(f.parts) == 2 and f.parts[1] == "METADATA"
                     and f.parts[0].endswith(".dist-info")), None)
    if not tags or info_dir is None:
        return None
    site = Path(dist.locate_file(""))
    skip = {f"{info_dir}/{name}" for name in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")}
    # the compressed tag set of the wheel's name (py2.py3-none-any...), from its WHEEL file's tags
    tag = "-".join(".".join(dict.fromkeys(t.split("-")[i] for t in tags)) for i in range(3))
    path = out / f"{info_dir[:-len('.dist-info')]}-{tag}.whl"
    rows = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for row in csv.reader(io.StringIO(record)):
            name = row[0] if row else ""
            if not name or name.startswith(("..", "/")) or name in skip or "__pycache__" in name:
                continue
            data = (site / name).read_bytes()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            zf.writestr(name, data)
            rows.append((name, f"sha256={digest}", str(len(data))))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows + [(f"{info_dir}/RECORD", "", "")])
        zf.writestr(f"{info_dir}/RECORD", buffer.getvalue())
    return path


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory) -> Path:
    """Wheels of every distribution installed beside the tests, but the project and pip."""
    out = tmp_path_factory.mktemp("wheelhouse")
    seen = set()
    for dist in metadata.distributions():
        name = _canonical(dist.metadata["Name"] or "")
        if not name or name in NOT_IN_WHEELHOUSE or name in seen:
            continue
        if _wheel_of_installed(dist, out) is not None:
            seen.add(name)
    return out


@pytest.fixture(scope="module")
def project_wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # (the build backend comes from the configured package index, as for any user's build)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(out), "-q"],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = out.glob("committee_pipeline-*.whl")
    return wheel


def test_the_wheel_holds_every_module_the_fonts_and_the_wording(project_wheel):
    names = set(zipfile.ZipFile(project_wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pipeline").rglob("*.py")}
    assert modules - names == set(), "modules of pipeline/ missing from the wheel (add their package to pyproject.toml)"
    fonts = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pipeline" / "fonts").iterdir()}
    assert fonts <= names
    templates = {f"pipeline/report_templates/{p.name}" for p in (ROOT / "report_templates").glob("*.toml")}
    assert templates and templates <= names
    assert not any(n.startswith(("tests/", "inputs/", "benchmarks/", "tools/", "report_templates/")) for n in names)


def _subject_in_pdf(path: Path) -> bool:
    from pypdf import PdfReader

    text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)
    return SUBJECT in text


def _subject_in_docx(path: Path) -> bool:
    import docx

    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return any(SUBJECT in " ".join(t.split()) for t in texts)


def _check_installed_copy(bin_dir: Path, python: Path, work: Path, env: dict) -> None:
    """--help, --version, validate and build of a copy of the sample, from ``work``."""
    exe = bin_dir / "committee-pipeline"
    assert exe.exists(), f"no committee-pipeline script in {bin_dir}"

    where = _run([python, "-c", "import pipeline, pipeline.document.common as a; print(pipeline.__file__); "
                  "print(a.TEMPLATE_PATH)"], work, env)
    assert where.returncode == 0, where.stderr
    module, template = where.stdout.split("\n")[:2]
    assert not Path(module).is_relative_to(ROOT) and not Path(template).is_relative_to(ROOT), where.stdout
    assert Path(template).is_file()

    shown = _run([exe, "--help"], work, env)
    assert shown.returncode == 0, shown.stderr
    assert "Traceback" not in shown.stderr
    for command in ("validate", "cards", "build", "commentary", "pack", "send"):
        assert command in shown.stdout

    version = _run([exe, "--version"], work, env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"committee-pipeline, version {metadata.version('committee-pipeline')}"

    sample = work / SAMPLE.name  # (the file names of the outputs carry the report's month)
    shutil.copyfile(SAMPLE, sample)
    checked = _run([exe, "validate", sample.name], work, env)
    assert checked.returncode == 0, checked.stderr

    built = _run([exe, "build", sample.name, "--out", "report"], work, env)
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    pdf, docx_path = work / "report" / f"{SAMPLE.stem}.pdf", work / "report" / f"{SAMPLE.stem}.docx"
    assert pdf.stat().st_size > 0 and docx_path.stat().st_size > 0
    assert _subject_in_pdf(pdf), "the installed copy's PDF does not hold the report's subject"
    assert _subject_in_docx(docx_path), "the installed copy's DOCX does not hold the report's subject"


def test_wheel_installs_into_a_fresh_venv_and_builds_the_sample(project_wheel, wheelhouse, tmp_path):
    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", venv], tmp_path)
    assert made.returncode == 0, made.stderr
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    python = venv / "bin" / "python"
    installed = _run([python, "-m", "pip", "install", "-q", "--no-index", "--find-links", wheelhouse,
                      "-c", CONSTRAINTS, project_wheel], tmp_path)
    assert installed.returncode == 0, (
        "the wheel did not install from the test environment's own packages under constraints.txt "
        "(is this environment the pinned one? `pip install -c constraints.txt -e '.[test]'`):\n" + installed.stderr)
    listed = _run([python, "-m", "pip", "list", "--format=freeze"], tmp_path)
    assert "pandas==" in listed.stdout.lower()  # declared because something uses it: CSV sources (input/csv_source.py)

    work = tmp_path / "work"
    work.mkdir()
    _check_installed_copy(venv / "bin", python, work, _clean_env())


def test_pipx_installs_the_wheel(project_wheel, wheelhouse, tmp_path):
    home, bin_dir = tmp_path / "pipx-home", tmp_path / "pipx-bin"
    # (pipx upgrades pip in its shared environment from the index unless told not to: offline here)
    env = _clean_env(PIPX_HOME=str(home), PIPX_BIN_DIR=str(bin_dir), PIPX_MAN_DIR=str(tmp_path / "pipx-man"),
                     PIPX_DISABLE_SHARED_LIBS_AUTO_UPGRADE="1",
                     PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheelhouse), PIP_CONSTRAINT=str(CONSTRAINTS))
    installed = _run([sys.executable, "-m", "pipx", "install", project_wheel], tmp_path, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    python = home / "venvs" / "committee-pipeline" / "bin" / "python"
    work = tmp_path / "work"
    work.mkdir()
    _check_installed_copy(bin_dir, python, work, _clean_env())
