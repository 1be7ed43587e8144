"""Commentary text -> document blocks, keeping the officer's paragraphs and bullet lists.

Rules (the commentary workflow relies on them):
- a blank line or a line break starts a new paragraph;
- consecutive lines starting with "- ", "• ", "* " or "– " form one bullet list;
- surrounding spaces are trimmed; empty text gives no blocks.

"Actions being taken" (the commentary sheet's ``actions`` column) have rules of their own
(:func:`parse_actions`): every line is one action, so the list is never broken into
paragraphs by a line an officer forgot to start with "- ".
"""
from __future__ import annotations

import re

from pipeline.document.model import Block, BulletList, Paragraph, ParagraphStyle, runs

_BULLET = re.compile(r"^\s*(?:[-•*–]|\u2022)\s+")


def is_bullet(line: str) -> bool:
    return bool(_BULLET.match(line))


def bullet_text(line: str) -> str:
    """A line without its bullet marker (the line itself when it has none), trimmed."""
    return _BULLET.sub("", line, count=1).strip()


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


def parse_actions(text: str | None) -> tuple[str, tuple[str, ...]]:
    """(the officer's introduction or "", the actions in order) of an ``actions`` cell:
    every non-blank line is one action, its bullet marker (if any) taken off; a first line
    ending in ":" that is not a bullet is the introduction ("Actions being taken which will
    impact on the number of Children in Care include:"). No word is dropped."""
    lines = [line.strip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    intro = ""
    if lines and lines[0].endswith(":") and not is_bullet(lines[0]):
        intro, lines = lines[0], lines[1:]
    return intro, tuple(bullet_text(line) for line in lines)


def action_blocks(text: str | None, default_intro: str) -> tuple[Block, ...]:
    """The introduction (the officer's, else ``default_intro``) as a paragraph and the
    actions as one bulleted list: a real list in both renderers (the PDF's L > LI tags,
    Word's List Bullet paragraphs). Nothing for an empty cell."""
    intro, items = parse_actions(text)
    if not intro and not items:
        return ()
    out: list[Block] = [Paragraph(runs(intro or default_intro))]
    if items:
        out.append(BulletList(tuple(runs(item) for item in items)))
    return tuple(out)
