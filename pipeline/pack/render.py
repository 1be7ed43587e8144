"""Rendering the pack's own pages (front sheet, exempt notices, covering letter).

They are :class:`pipeline.document.model.Document` objects rendered by the SAME renderer as the
reports (pipeline.pdf.render), so they share fonts, styles, page furniture and PDF/UA
tagging. :func:`render_document` is the one place that chooses the renderer.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.document.model import Document


def render_document(document: Document, path: Path) -> Path:
    """Render ``document`` (no charts) to the PDF at ``path``."""
    from pipeline.pdf.render import render_pdf

    render_pdf(document, path, {})
    return path
