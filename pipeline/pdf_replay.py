"""Pages kept from the last build and drawn again without being laid out.

A rebuild after a commentary change lays out the whole PDF again although almost every
page is what it was. The report's story falls into *sections*: the runs of blocks
between two page breaks of the model (an indicator's page, the summary table, the
cover memo). A section always starts on a fresh page and owns its pages whole, so what
it draws does not depend on what came before it, only on its own blocks, the page
template and the fonts' encoding. So:

* the final layout pass draws on :class:`RecordingCanvas`, which records, for every
  section between its :class:`RecordStart` and :class:`RecordEnd` markers, the raw page
  operators the section drew and, in order between them, every structure hook
  (``begin_marked``/``end_marked``, groups, artifacts, destinations, outline entries),
  every link annotation (with its rectangle already absolute) and every chart picture;
  the page furniture (running header, footer, "Page X of Y") is not recorded: it is
  drawn afresh on every page;
* :class:`SectionCache` keeps each section's recording under a key of everything its
  drawing depends on (:func:`section_key`: its blocks, the part's page geometry, the
  anchors of its headings, the fonts' encoding, the source of the PDF renderer and the
  ReportLab release), in ``<out>/.cache/pdf``;
* the next build puts :class:`ReplayPage` flowables in place of a section it finds
  there: each fills one page's frame and, when drawn, hands the same operators and
  calls the same hooks on the same canvas, so the structure tree, links, outline,
  pictures and the bytes of the PDF are those a fresh layout gives (tested). The
  counting pass takes only the destinations from them.

Fonts: ReportLab numbers a TrueType subset's characters in the order they are first
drawn, so the same text is encoded differently when different pages come first. Every
canvas is *seeded* (:func:`seed_fonts`) with every character the document's text uses,
face by face, in code-point order, before anything is drawn: the encoding then depends
only on that character set, which is part of the key. Should a page draw a character
that was not seeded, the build still comes out right (the character gets the next code)
but nothing it recorded is kept.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import zlib
from collections.abc import Mapping
from pathlib import Path

from reportlab.platypus.doctemplate import FrameActionFlowable
from reportlab.platypus.flowables import Flowable

from pipeline.pdf_tagging import TaggingCanvas

CACHE_FORMAT = "pdf-sections-1"
_SOURCES = ("render_pdf.py", "pdf_flowables.py", "pdf_styles.py", "pdf_tagging.py", "pdf_images.py",
            "pdf_fonts.py", "pdf_replay.py")


# ----------------------------------------------------------------------------- fonts
def seed_fonts(canvas, seeds: tuple[tuple[str, str], ...]) -> dict[str, int]:
    """Give each face's subset the characters of ``seeds`` ((font name, characters),
    in that order) before anything is drawn; returns each face's next free code, which
    :func:`seeds_held` compares after the pass."""
    from reportlab.pdfbase import pdfmetrics

    doc = canvas._doc
    after = {}
    for name, chars in seeds:
        font = pdfmetrics.getFont(name)
        font.splitString(chars, doc)
        state = font.state[doc]
        for subset in range(len(state.subsets)):
            font.getSubsetInternalName(subset, doc)
        after[name] = state.nextCode
    return after


def seeds_held(canvas, seeded: dict[str, int]) -> bool:
    """True when no face was given a character beyond its seed during the pass."""
    from reportlab.pdfbase import pdfmetrics

    doc = canvas._doc
    for name, next_code in seeded.items():
        if pdfmetrics.getFont(name).state[doc].nextCode != next_code:
            return False
    return True


# ----------------------------------------------------------------------------- recording
class RecordingCanvas(TaggingCanvas):
    """The tagging canvas of the final pass, which also records sections (see module)."""

    def __init__(self, *args, font_seeds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.seeded = seed_fonts(self, font_seeds)
        self.recordings: dict[str, tuple] = {}  # key -> (pages, each a list of events; end)
        self._rec: list | None = None
        self._rec_key: str | None = None
        self._rec_ok = True
        self._rec_mark = 0
        self._rec_paused = False

    # -- markers and pages --------------------------------------------------------
    def start_recording(self, key: str) -> None:
        self._rec, self._rec_key, self._rec_ok = [[]], key, True
        self._rec_paused = False
        self._rec_mark = len(self._code)

    def stop_recording(self, end: float) -> None:
        """The section ends here, ``end`` points above the bottom of its last page."""
        if self._rec is None:
            return
        self._flush()
        if self._rec_ok and not _names_document_resources(self._rec):
            self.recordings[self._rec_key] = (self._rec, end)
        self._rec = self._rec_key = None

    def furniture_drawn(self) -> None:
        """Called by the page template after it drew a page's furniture: recording goes
        on from here on a page of a section being recorded."""
        if self._rec is not None:
            self._rec_paused = False
            self._rec_mark = len(self._code)

    def showPage(self):
        if self._rec is not None and not self._rec_paused:
            self._flush()
            self._rec.append([])
            self._rec_paused = True  # until the next page's furniture is drawn
        super().showPage()

    def save(self):
        # (ReportLab forgets the fonts' state of this document as it writes it)
        if not seeds_held(self, self.seeded):  # a character beyond the seeds: keep nothing
            self.recordings = {}
        super().save()

    def unreplayable(self) -> None:
        """Something was drawn that cannot be recorded (a picture ReportLab decoded)."""
        self._rec_ok = False

    # -- what is recorded -----------------------------------------------------------
    def _recording(self) -> bool:
        return self._rec is not None and not self._rec_paused

    def _flush(self) -> None:
        code = self._code
        if len(code) > self._rec_mark:
            self._rec[-1].append(("code", code[self._rec_mark:]))
        self._rec_mark = len(code)

    def _record(self, event: tuple) -> None:
        self._rec[-1].append(event)
        self._rec_mark = len(self._code)

    def linkRect(self, contents, destinationname, Rect=None, addtopage=1, name=None, relative=1, **kw):
        if not self._recording():
            return super().linkRect(contents, destinationname, Rect, addtopage, name, relative=relative, **kw)
        self._flush()
        args = (contents, destinationname, self._absRect(Rect, relative), addtopage, name)
        kw = dict(kw, relative=0)
        result = super().linkRect(*args, **kw)
        self._record(("linkRect", args, kw))
        return result

    def linkURL(self, url, rect, relative=0, **kw):
        if not self._recording():
            return super().linkURL(url, rect, relative=relative, **kw)
        self._flush()
        args = (url, self._absRect(rect, relative))
        kw = dict(kw, relative=0)
        result = super().linkURL(*args, **kw)
        self._record(("linkURL", args, kw))
        return result

    def png_drawn(self, chart, digest: str) -> None:
        """A chart picture is about to be drawn (registered, then placed)."""
        if not self._recording():
            return
        if chart is None:
            self._rec_ok = False
            return
        self._flush()
        self._record(("png", chart, digest))

    # -- replay -------------------------------------------------------------------
    def replay(self, events: list, images: Mapping) -> None:
        """Draw one recorded page again: its operators and hooks, in their order."""
        from pipeline.pdf_images import png_data, register_png

        code = self._code
        hooks = _REPLAYED  # (the tagging canvas's own methods: nothing is recorded while replaying)
        for event in events:
            kind = event[0]
            if kind == "code":
                code.extend(event[1])
            elif kind == "png":
                register_png(self, png_data(images[event[1]]), event[2])
            elif kind in ("linkRect", "linkURL"):
                hooks[kind](self, *event[1], **event[2])
            else:
                hooks[kind](self, *event[1:])


def _names_document_resources(pages: list) -> bool:
    """True when recorded operators use a graphics state (transparency) or a shading:
    ReportLab names those per document, and a replay would not declare them. (The report
    uses neither; should it start to, its sections are laid out every time rather than
    replayed wrong.)"""
    for events in pages:
        for event in events:
            if event[0] == "code":
                for operator in event[1]:
                    if operator.endswith((" gs", " sh")):
                        return True
    return False


def _recorded(hook: str):
    """``hook`` of the tagging canvas, which also records the call (``(hook, *args)``)
    when a section is being recorded; the operators the hook writes itself (BDC/EMC) are
    not recorded as drawing: replaying the call writes them again."""

    parent = getattr(TaggingCanvas, hook)

    def method(self, *args):
        if not self._recording():
            return parent(self, *args)
        self._flush()
        result = parent(self, *args)
        self._record((hook, *args))
        return result

    method.__name__ = method.__qualname__ = hook
    return method


_HOOKS = ("begin_marked", "end_marked", "begin_group", "end_group", "begin_artifact", "end_artifact",
          "add_destination", "add_outline")
for _hook_name in _HOOKS:
    setattr(RecordingCanvas, _hook_name, _recorded(_hook_name))
_REPLAYED = {name: getattr(TaggingCanvas, name) for name in (*_HOOKS, "linkRect", "linkURL")}


class RecordStart(FrameActionFlowable):
    """Marker: the section ``key`` starts here (at the top of a page, after its
    furniture). A frame action: it takes no room and is no flowable of the page to
    platypus, so the layout is the same with or without the markers. It records in the
    final pass, or with ``counting`` only in the counting pass (where only the
    destinations of the pages are recorded: a contents section's placeholder layout)."""

    def __init__(self, key: str, counting: bool = False):
        self.key = key
        self.counting = counting

    def _ours(self) -> bool:
        return bool(getattr(self.canv, "layout_only", False)) == self.counting

    def frameAction(self, frame):
        start = getattr(self.canv, "start_recording", None)
        if start is not None and self._ours():
            start(self.key)


class RecordEnd(RecordStart):
    """Marker: the section ends here; where the frame's next flowable would go is
    recorded, for :class:`ReplayPage`."""

    def frameAction(self, frame):
        stop = getattr(self.canv, "stop_recording", None)
        if stop is not None and self._ours():
            stop(frame._y)


class ReplayPage(Flowable):
    """One recorded page of a section: drawing it replays the page. It fills the frame,
    except the section's last page, which ends where the section ended (``end``), so
    that what follows on that page (the end of a structure group) is where it was."""

    def __init__(self, events: list, images: Mapping, end: float | None = None):
        super().__init__()
        self.events = events
        self.images = images
        self.end = end
        self.width = self.height = 0

    def wrap(self, availWidth, availHeight):
        height, self.spaceAfter = availHeight, 0
        frame = getattr(self, "_frame", None)
        if self.end is not None and frame is not None:
            # the frame's next position is ``end``, below the frame's bottom when the
            # section's last flowable had space after it: that part is space after
            height = max(0.0, min(availHeight, frame._y - self.end))
            self.spaceAfter = max(0.0, frame._y - height - self.end)
        self.width, self.height = availWidth, height
        return availWidth, height

    def drawOn(self, canvas, x, y, _sW=0):
        if getattr(canvas, "layout_only", False):  # the counting pass: only where anchors are
            for event in self.events:
                if event[0] == "add_destination":
                    canvas.add_destination(event[1], event[2])
            return
        canvas.replay(self.events, self.images)


def replay_flowables(recording: tuple, images: Mapping) -> list:
    """The flowables that stand for a recorded section: (pages, where it ended)."""
    from reportlab.platypus import PageBreak

    pages, end = recording
    story: list = []
    for index, events in enumerate(pages):
        if index:
            story.append(PageBreak())
        story.append(ReplayPage(events, images, end if index == len(pages) - 1 else None))
    return story


# ----------------------------------------------------------------------------- the cache
def section_key(parts: tuple) -> str:
    """sha256 of ``parts`` (the section's blocks and what else its drawing depends on:
    model dataclasses, strings, numbers) and of the renderer's code. The parts are taken
    pickled (the same objects give the same bytes; pickle is C, a dataclass's repr is
    Python, a quarter of a second for the council month)."""
    digest = hashlib.sha256(_code_digest().encode("ascii"))
    digest.update(pickle.dumps(parts, protocol=5))
    return digest.hexdigest()


_CODE_DIGEST: list[str] = []


def _code_digest() -> str:
    if not _CODE_DIGEST:
        import reportlab

        from pipeline.pdf_fonts import FONT_DIR

        digest = hashlib.sha256(f"{CACHE_FORMAT} reportlab {reportlab.Version}".encode())
        here = Path(__file__).parent
        for name in _SOURCES:
            digest.update(name.encode() + b"\x00" + (here / name).read_bytes())
        for font in sorted(FONT_DIR.glob("*.ttf")):
            digest.update(f"{font.name} {font.stat().st_size}".encode())
        _CODE_DIGEST.append(digest.hexdigest())
    return _CODE_DIGEST[0]


class SectionCache:
    """Recorded sections by key, one compressed pickle each under ``folder``, written
    atomically. The folder is the build's own output (``<out>/.cache/pdf``): nothing
    from elsewhere is ever read from it. A file that cannot be read is a miss."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.hits = 0
        self.stored = 0

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle.z"

    def get(self, key: str, images: Mapping, count: bool = True) -> tuple | None:
        """The recording of ``key`` (pages, end), if every chart picture it shows is the
        one in ``images`` (the same bytes as when it was recorded). ``count``: add a hit
        to :attr:`hits` (the contents sections count their own, pass by pass)."""
        try:
            recording = pickle.loads(zlib.decompress(self.path(key).read_bytes()))
            pages, _end = recording
        except Exception:  # absent, truncated or from another release: draw it afresh
            return None
        for events in pages:
            for event in events:
                if event[0] == "png":
                    data = images[event[1]] if event[1] in images else None
                    if data is None or hashlib.md5(data).hexdigest() != event[2]:
                        return None
        self.hits += count
        return recording

    def put(self, key: str, recording: tuple) -> None:
        """Store; a cache that cannot be written only costs time later, never the build."""
        from pipeline.atomic import write_bytes
        from pipeline.errors import OutputError

        try:
            write_bytes(self.path(key), zlib.compress(pickle.dumps(recording, protocol=pickle.HIGHEST_PROTOCOL), 1))
        except (OutputError, OSError):
            return
        self.stored += 1
