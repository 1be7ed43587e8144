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
  anchors of its headings, the fonts' encoding, and the code fingerprint of
  :mod:`pipeline.infra.fingerprint`: every file of the package, the templates, the libraries'
  releases), in ``<out>/.cache/pdf``, as plain data (JSON) that a strict decoder checks
  event by event: the folder is often a shared drive, and nothing anyone puts there
  may run when it is read (:func:`encode_recording`, :func:`decode_recording`);
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
import json
import os
import pickle  # (only to hash a key's parts: nothing is ever unpickled)
import zlib
from collections.abc import Mapping
from pathlib import Path

from reportlab.platypus.doctemplate import FrameActionFlowable
from reportlab.platypus.flowables import Flowable

from pipeline.pdf.tagging import TaggingCanvas

CACHE_FORMAT = "pdf-sections-2"  # the layout of a cache file (JSON, see "the format" below)


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
        from pipeline.charts.draw import chart_key

        self._flush()
        self._record(("png", chart_key(chart), digest))  # (the chart by its key: plain data)

    # -- replay -------------------------------------------------------------------
    def replay(self, events: list, images: Mapping) -> None:
        """Draw one recorded page again: its operators and hooks, in their order.
        ``images``: PNG bytes by chart key (:class:`ChartsByKey`). The events are those
        :func:`decode_recording` let through: each of a known kind, which calls only the
        tagging canvas's own hook of that name."""
        from pipeline.pdf.images import png_data, register_png

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
    """The flowables that stand for a recorded section: (pages, where it ended).
    ``images``: the pictures by chart key (:meth:`SectionCache.charts`)."""
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
    model dataclasses, strings, numbers) and of the code fingerprint
    (:func:`pipeline.infra.fingerprint.fingerprint`). The parts are hashed pickled: the same
    objects give the same bytes, and pickle is C (a dataclass's repr is Python, a quarter
    of a second for the council month). Only hashed: nothing is ever unpickled."""
    from pipeline.infra.fingerprint import fingerprint

    digest = hashlib.sha256(f"{CACHE_FORMAT} {fingerprint()}".encode("ascii"))
    digest.update(pickle.dumps(parts, protocol=5))
    return digest.hexdigest()


class ChartsByKey(Mapping):
    """The build's chart pictures by :func:`pipeline.charts.draw.chart_key` (recordings name a
    chart by its key). Looking a picture up waits for it as the build's own mapping does
    (``ChartStream``); the index is made on first use, without waiting for any picture."""

    def __init__(self, images: Mapping):
        self.images = images
        self._specs: dict | None = None

    def _index(self) -> dict:
        if self._specs is None:
            from pipeline.charts.draw import chart_key

            self._specs = {chart_key(spec): spec for spec in self.images}
        return self._specs

    def __getitem__(self, key: str) -> bytes:
        return self.images[self._index()[key]]

    def __contains__(self, key) -> bool:
        return key in self._index()

    def __iter__(self):
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())


class SectionCache:
    """Recorded sections by key, one zlib-compressed JSON file each under ``folder``,
    written atomically (``ab/abcdef….json.z``). The folder is the build's output
    (``<out>/.cache/pdf``), often a shared drive: a file is only ever read as bytes and
    decoded by :func:`decode_recording`, which lets through nothing but the events a
    recording holds, each of a known kind with arguments of the expected types. A file
    that is absent, unreadable, cut short, damaged, from another format, recorded for
    another key or showing other chart pictures is a miss: the section is laid out."""

    MAX_BYTES = 64 * 1024 * 1024  # decompressed: a section of the council month is a few hundred kB

    def __init__(self, folder: str | os.PathLike, replay: bool = True):
        self.folder = Path(folder)
        self.replay = replay  # False: only record (see render_pdf.pdf_bytes)
        self.hits = 0
        self.served = 0  # recordings given out, counted or not
        self.stored = 0
        self._charts: ChartsByKey | None = None

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json.z"

    def charts(self, images: Mapping) -> ChartsByKey:
        """``images`` (by ChartSpec) by chart key, made once per build."""
        if self._charts is None or self._charts.images is not images:
            self._charts = ChartsByKey(images)
        return self._charts

    def get(self, key: str, images: Mapping, count: bool = True) -> tuple | None:
        """The recording of ``key`` (pages, end), if every chart picture it shows is the
        one in ``images`` (the same bytes as when it was recorded). ``count``: add a hit
        to :attr:`hits` (the contents sections count their own, pass by pass)."""
        from pipeline.infra.fingerprint import read_cache_file

        if not self.replay:
            return None
        data = read_cache_file(self.path(key))
        if data is None:
            return None
        try:
            inflater = zlib.decompressobj()
            text = inflater.decompress(data, self.MAX_BYTES)
            if inflater.unconsumed_tail or not inflater.eof or inflater.unused_data:
                return None  # larger than any recording, cut short, or followed by more
            recording = decode_recording(json.loads(text.decode("utf-8"), parse_constant=_no_constant), key)
        except (ValueError, RecursionError, MemoryError, zlib.error, UnicodeDecodeError):
            return None
        if recording is None:
            return None
        charts = self.charts(images)
        for events in recording[0]:
            for event in events:
                if event[0] == "png":
                    data = charts[event[1]] if event[1] in charts else None
                    if data is None or hashlib.md5(data).hexdigest() != event[2]:
                        return None
        self.hits += count
        self.served += 1
        return recording

    def put(self, key: str, recording: tuple) -> None:
        """Store, if the recording is plain data that reads back as itself; a cache that
        cannot be written only costs time later, never the build."""
        from pipeline.errors import OutputError
        from pipeline.infra.atomic import write_bytes

        try:
            document = encode_recording(recording, key)
            text = json.dumps(document, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
        except (_Unrecordable, ValueError, RecursionError):
            return
        if decode_recording(json.loads(text), key) != recording:
            return  # (never seen: something the format cannot say as it is)
        try:
            write_bytes(self.path(key), zlib.compress(text.encode("ascii"), 1))
        except (OutputError, OSError):
            return
        self.stored += 1


# ----------------------------------------------------------------------------- the format
# A cache file is zlib-compressed JSON:
#
#   {"format": CACHE_FORMAT, "key": the section key, "end": number,
#    "attrs": [attrs, ...], "pages": [[event, ...], ...]}
#
# ``attrs`` are the structure attributes the hooks were called with, each a list of
# [name, value] pairs, listed once and named by their index wherever they recur: the
# tagging canvas knows a repeated table header row, and a later piece of an element split
# across pages, by the *same* attributes object, so a recording keeps which are the same.
# A value is null, true/false, a number, a string, ["t", [values]] (a tuple), ["l",
# [values]] (a list) or ["a", index] (attributes listed earlier). Events:
#
#   ["code", [operator, ...]]                      page operators (ASCII strings)
#   ["png", chart key, md5 of the PNG]             a chart picture is placed
#   ["begin_marked", role, attrs] ["end_marked"]   ["begin_group", role, attrs]
#   ["end_group", role] ["begin_artifact", kind]   ["end_artifact"]
#   ["add_destination", anchor, top] ["add_outline", text, anchor, level]
#   ["linkRect", [contents, destination, rect, addtopage, name], [[keyword, value], ...]]
#   ["linkURL", [url, rect], [[keyword, value], ...]]
#
# Anything else, anywhere, and the whole file is a miss.

_TOP = frozenset({"format", "key", "end", "attrs", "pages"})
_LINK_KEYWORDS = {"relative": (0,), "kind": ("URI",)}  # what the recorder passes (and ReportLab's paragraphs)
_MAX_DEPTH = 16
_MAX_NUMBER = 1e9  # coordinates, levels, rows: far inside


def _is_number(item) -> bool:
    return type(item) in (int, float) and -_MAX_NUMBER < item < _MAX_NUMBER  # (NaN fails both)


def _is_text(item) -> bool:
    return type(item) is str


def _text_or_none(item) -> bool:
    return item is None or type(item) is str


def _count(item) -> bool:
    return type(item) is int and 0 <= item < _MAX_NUMBER


# the structure attributes the renderer gives its flowables (render_pdf, pdf_flowables),
# by name, with the type the tagging canvas reads them as: anything else is a miss
_ATTRIBUTES = {
    "text": _is_text, "label": _is_text, "scope": _is_text,
    "anchor": _text_or_none, "alt": _text_or_none, "title": _text_or_none, "caption": _text_or_none,
    "kind": _text_or_none, "rag": _text_or_none,
    "level": _count, "header_rows": _count, "columns": _count, "row": _count, "column": _count, "colspan": _count,
    "outline": lambda item: type(item) is bool,
    "links": lambda item: type(item) is tuple and all(type(x) is str for x in item),
    "continues": lambda item: type(item) is dict,
}


class _Unrecordable(Exception):
    """A recording holds something the format cannot say: it is not kept."""


def _no_constant(name: str):
    raise ValueError(f"{name} in a section file")


def encode_recording(recording: tuple, key: str) -> dict:
    """The JSON document of one recording (pages, end); raises _Unrecordable."""
    pages, end = recording
    attrs: list = []
    index: dict[int, int] = {}

    def value(item, depth=0):
        if item is None or isinstance(item, (bool, str)):
            return item
        if type(item) in (int, float):
            return item
        if depth > _MAX_DEPTH:
            raise _Unrecordable("nested too deep")
        if type(item) is tuple:
            return ["t", [value(x, depth + 1) for x in item]]
        if type(item) is list:
            return ["l", [value(x, depth + 1) for x in item]]
        if type(item) is dict:
            return ["a", attributes(item, depth + 1)]
        raise _Unrecordable(type(item).__name__)

    def attributes(mapping: dict, depth=0) -> int:
        found = index.get(id(mapping))
        if found is None:
            if not all(type(name) is str for name in mapping):
                raise _Unrecordable("attribute names")
            pairs = [[name, value(item, depth)] for name, item in mapping.items()]
            found = index[id(mapping)] = len(attrs)  # after its values: references point back
            attrs.append(pairs)
        return found

    def event(item: tuple) -> list:
        kind = item[0]
        if kind == "code":
            return ["code", list(item[1])]
        if kind in ("linkRect", "linkURL"):
            return [kind, [value(x) for x in item[1]], [[name, value(x)] for name, x in item[2].items()]]
        return [kind, *(value(x) for x in item[1:])]

    encoded = [[event(item) for item in events] for events in pages]
    return {"format": CACHE_FORMAT, "key": key, "end": end, "attrs": attrs, "pages": encoded}


def decode_recording(document, key: str) -> tuple | None:
    """The recording (pages, end) a JSON document holds, or None unless it is, in every
    part, a recording of ``key`` in this format: every event of a known kind with
    arguments of the expected types, the structure hooks opened and closed in order, the
    links inside an element. Builds only tuples, lists, dicts, strings and numbers."""
    try:
        return _Decoder(key).recording(document)
    except _Invalid:
        return None


class _Invalid(Exception):
    pass


def _check(condition) -> None:
    if not condition:
        raise _Invalid


def _roles() -> tuple[frozenset, frozenset]:
    """The structure roles and artifact kinds the tagging canvas knows."""
    from pipeline.pdf.tagging import ARTIFACT_TYPES, CONTAINERS, STANDARD_TYPES

    return STANDARD_TYPES | CONTAINERS, frozenset(ARTIFACT_TYPES)


class _Decoder:
    def __init__(self, key: str):
        self.key = key
        self.attrs: list[dict] = []
        self.roles, self.artifacts = _roles()

    def recording(self, document) -> tuple:
        _check(type(document) is dict and set(document) == _TOP)
        _check(document["format"] == CACHE_FORMAT and document["key"] == self.key)
        end = document["end"]
        _check(_is_number(end))
        raw_attrs, raw_pages = document["attrs"], document["pages"]
        _check(type(raw_attrs) is list and type(raw_pages) is list and raw_pages)
        for pairs in raw_attrs:
            _check(type(pairs) is list)
            mapping: dict = {}
            for pair in pairs:
                _check(type(pair) is list and len(pair) == 2 and pair[0] in _ATTRIBUTES and pair[0] not in mapping)
                item = self.value(pair[1])
                _check(_ATTRIBUTES[pair[0]](item))
                mapping[pair[0]] = item
            self.attrs.append(mapping)  # (after its values: they may only name earlier ones)
        pages = []
        open_: list = []  # the structure hooks open, innermost last
        for raw_events in raw_pages:
            _check(type(raw_events) is list)
            pages.append([self.event(raw, open_) for raw in raw_events])
        _check(not open_)
        return pages, end

    def value(self, item, depth: int = 0):
        if item is None or type(item) in (bool, str):
            return item
        if type(item) in (int, float):
            _check(_is_number(item))
            return item
        _check(type(item) is list and len(item) == 2 and depth <= _MAX_DEPTH)
        tag, body = item
        if tag == "a":
            _check(type(body) is int and 0 <= body < len(self.attrs))
            return self.attrs[body]
        _check(tag in ("t", "l") and type(body) is list)
        items = [self.value(x, depth + 1) for x in body]
        return tuple(items) if tag == "t" else items

    def attributes(self, item) -> dict:
        _check(type(item) is list and len(item) == 2 and item[0] == "a")
        found = self.value(item)
        _check(type(found) is dict)
        return found

    def rect(self, item) -> tuple:
        found = self.value(item)
        _check(type(found) is tuple and len(found) == 4 and all(_is_number(x) for x in found))
        return found

    def keywords(self, raw) -> dict:
        _check(type(raw) is list)
        found = {}
        for pair in raw:
            _check(type(pair) is list and len(pair) == 2 and pair[0] in _LINK_KEYWORDS and pair[0] not in found)
            _check(type(pair[1]) in (int, str) and pair[1] in _LINK_KEYWORDS[pair[0]])
            found[pair[0]] = pair[1]
        _check(found.get("relative") == 0)
        return found

    def event(self, raw, open_: list) -> tuple:
        _check(type(raw) is list and raw and _is_text(raw[0]))
        kind, args = raw[0], raw[1:]
        if kind == "code":
            _check(len(args) == 1 and type(args[0]) is list)
            try:
                joined = "".join(args[0])  # (C: every operator a string, else TypeError)
            except TypeError:
                raise _Invalid from None
            _check(joined.isascii())
            return ("code", args[0])
        if kind == "png":
            _check(len(args) == 2 and all(_is_text(x) for x in args))
            _check(len(args[0]) == 64 and len(args[1]) == 32 and _is_hex(args[0]) and _is_hex(args[1]))
            return ("png", args[0], args[1])
        if kind in ("begin_marked", "begin_group"):
            _check(len(args) == 2 and args[0] in self.roles)
            open_.append(("marked",) if kind == "begin_marked" else ("group", args[0]))
            return (kind, args[0], self.attributes(args[1]))
        if kind == "end_marked":
            _check(not args and open_ and open_.pop() == ("marked",))
            return (kind,)
        if kind == "end_group":
            _check(len(args) == 1 and _is_text(args[0]) and open_ and open_.pop() == ("group", args[0]))
            return (kind, args[0])
        if kind == "begin_artifact":
            _check(len(args) == 1 and args[0] in self.artifacts)
            open_.append(("artifact",))
            return (kind, args[0])
        if kind == "end_artifact":
            _check(not args and open_ and open_.pop() == ("artifact",))
            return (kind,)
        if kind == "add_destination":
            _check(len(args) == 2 and _is_text(args[0]) and _is_number(args[1]))
            return (kind, args[0], args[1])
        if kind == "add_outline":
            _check(len(args) == 3 and _is_text(args[0]) and _is_text(args[1]) and _count(args[2]))
            return (kind, args[0], args[1], args[2])
        if kind in ("linkRect", "linkURL"):  # (a link belongs to the element drawing it)
            _check(len(args) == 2 and type(args[0]) is list and ("marked",) in open_)
            positional = args[0]
            if kind == "linkRect":
                _check(len(positional) == 5)
                contents, destination, rect, addtopage, name = positional
                _check(contents is None or _is_text(contents))
                _check(_is_text(destination) and addtopage in (0, 1) and type(addtopage) is int and _text_or_none(name))
                return (kind, (contents, destination, self.rect(rect), addtopage, name), self.keywords(args[1]))
            _check(len(positional) == 2 and _is_text(positional[0]))
            return (kind, (positional[0], self.rect(positional[1])), self.keywords(args[1]))
        raise _Invalid


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)
