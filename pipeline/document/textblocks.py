"""Commentary text -> document blocks, keeping the officer's paragraphs and bullet lists.

Rules (the commentary workflow relies on them):
- a blank line or a line break starts a new paragraph;
- consecutive lines starting with "- ", "• ", "* " or "– " form one bullet list;
- surrounding spaces are trimmed; empty text gives no blocks.
"""
from __future__ import annotations

import re

from pipeline.document.model import BulletList, Paragraph, ParagraphStyle, runs

_BULLET = re.compile(r"^\s*(?:[-•*–]|\u2022)\s+")


def is_bullet(line: str) -> bool:
    return bool(_BULLET.match(line))


def text_blocks(text: str | None, style: ParagraphStyle = "body") -> tuple:
    """The paragraphs and bullet lists of ``text`` in order."""
    if not text:
        return ()
    blocks: list = []
    items: list = []

    def flush():
        if items:
            blocks.append(BulletList(tuple(runs(i) for i in items)))
            items.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        if is_bullet(line):
            items.append(_BULLET.sub("", line, count=1).strip())
            continue
        flush()
        blocks.append(Paragraph(runs(line), style=style))
    flush()
    return tuple(blocks)


def plain_lines(text: str | None) -> str:
    """The same text for a single table cell: one line per paragraph or item ('• ' kept),
    joined by newlines (renderers turn a newline inside a cell into a line break)."""
    out = []
    for block in text_blocks(text):
        if isinstance(block, BulletList):
            out += ["• " + "".join(r.text for r in item) for item in block.items]
        else:
            out.append("".join(r.text for r in block.content))
    return "\n".join(out)
