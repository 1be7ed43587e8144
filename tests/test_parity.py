"""DOCX and PDF of the sample carry the same figures and RAG words (both render the one
document model; a figure formatted differently in the two would be a published defect)."""
from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from pdf_documents import sample_document_and_images

# a figure: digits with thousands separators / decimals, and its unit if it has one
FIGURE = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?%?(?![\w])")
RAG = re.compile(r"\b(GREEN|AMBER|RED)\b")
# PDF page furniture and the contents list's page numbers (the DOCX has them as fields)
FURNITURE = re.compile(r"Page \d+ of \d+|\u2014 page \d+")


def _docx_text(data: bytes) -> str:
    from docx import Document as DocxDocument

    doc = DocxDocument(io.BytesIO(data))
    body = doc.element.body
    # every w:t of the body, in document order (paragraphs and table cells alike)
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    texts = []
    for paragraph in body.iter(f"{ns}p"):
        texts.append("".join(t.text or "" for t in paragraph.iter(f"{ns}t")))
    return "\n".join(texts)


def _pdf_text(data: bytes, footer: str, headers: list[str]) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    text = FURNITURE.sub(" ", text)
    for furniture in [footer, *headers]:
        if furniture:
            text = text.replace(furniture, " ")
    return text


@pytest.fixture(scope="module")
def texts():
    from pipeline.docx.render import docx_bytes
    from pipeline.pdf.render import pdf_bytes

    document, images = sample_document_and_images()
    docx = _docx_text(docx_bytes(document, images))
    pdf = _pdf_text(pdf_bytes(document, images), document.footer_text, [p.running_header for p in document.parts])
    return document, docx, pdf


def test_same_figures_in_docx_and_pdf(texts):
    document, docx, pdf = texts
    docx_figures, pdf_figures = set(FIGURE.findall(docx)), set(FIGURE.findall(pdf))
    assert len(docx_figures) > 200  # the sample's trend tables alone hold hundreds
    assert docx_figures - pdf_figures == set(), "figures only in the DOCX"
    assert pdf_figures - docx_figures == set(), "figures only in the PDF"
    # percentages are the figures most at risk of a second formatting: same counts too
    percent = lambda text: Counter(f for f in FIGURE.findall(text) if f.endswith("%"))  # noqa: E731
    assert percent(docx) == percent(pdf)


def test_same_rag_words_in_docx_and_pdf(texts):
    document, docx, pdf = texts
    docx_rag, pdf_rag = Counter(RAG.findall(docx)), Counter(RAG.findall(pdf))
    assert docx_rag["GREEN"] > 0 and docx_rag["AMBER"] > 0
    assert docx_rag == pdf_rag


def test_parity_check_would_catch_a_reformatted_figure(texts):
    """The comparison is sharp enough: one figure printed differently is a difference."""
    document, docx, pdf = texts
    figure = next(f for f in FIGURE.findall(pdf) if f.endswith("%") and "." in f)
    altered = pdf.replace(figure, figure.split(".")[0] + "%", 1)
    assert Counter(f for f in FIGURE.findall(altered) if f.endswith("%")) != \
        Counter(f for f in FIGURE.findall(docx) if f.endswith("%"))
