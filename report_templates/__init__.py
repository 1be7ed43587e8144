"""The report's standard wording, installed as the package ``pipeline.report_templates``.

The wording stays in this top-level folder of the repository, where officers look for it;
pyproject.toml maps the folder to ``pipeline.report_templates`` so that a wheel, ``pip
install .`` and an editable install all carry it inside the package, and the code reads it
with :mod:`importlib.resources` (``pipeline.document.common``). This file is what makes the
folder a package that setuptools' editable installs can find: without it an editable
install cannot import the folder at all."""
