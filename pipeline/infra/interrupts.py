"""Interrupts: Ctrl-C (SIGINT) and SIGTERM stop a run quietly, in every process of it.

The command line (:func:`handled`) turns both signals into :class:`Interrupted` (a
``KeyboardInterrupt``) or its :class:`Terminated`, so the run unwinds through every
``finally`` and ``except BaseException`` (temporaries removed, worker processes stopped) and
exits ``128 + signal``: 130 for Ctrl-C, 143 for SIGTERM, as a shell reports a process those
signals ended. Worker processes (chart workers, the DOCX writer) are forked, so they
inherit the same handler: in a process other than the one that installed it, the handler
ends that process at once and silently (a Ctrl-C at the terminal reaches every process of
the group; the main process reports). :func:`quiet_worker` does the same in a worker
started outside the command line.

:func:`deferred` holds both signals back for a few instructions that must not be split
(the renames that commit a set of outputs, :func:`pipeline.infra.atomic.atomic_set`).
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading

SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s is not None)


class Interrupted(KeyboardInterrupt):
    """The run was interrupted by Ctrl-C (SIGINT). The signal is the class's, not an
    argument's: some libraries re-create an exception passing through them from its type
    and a message (ReportLab's layout does), and the status must survive that."""

    signum = signal.SIGINT

    @property
    def exit_code(self) -> int:
        return 128 + int(self.signum)


class Terminated(Interrupted):
    """The run was asked to stop by SIGTERM."""

    signum = getattr(signal, "SIGTERM", 15)


_BY_SIGNAL = {Interrupted.signum: Interrupted, Terminated.signum: Terminated}


def exit_code(exc: BaseException) -> int:
    """The exit status of a run ended by ``exc`` (a KeyboardInterrupt): 130, or 143 for SIGTERM."""
    return exc.exit_code if isinstance(exc, Interrupted) else 128 + int(signal.SIGINT)


def within(exc: BaseException) -> KeyboardInterrupt | None:
    """The interrupt that ``exc`` was raised while handling, if any (its ``__cause__`` or
    ``__context__`` chain), or None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


PARENT_POLL = 0.2  # seconds between a worker's checks that its parent is alive
RESEND_AFTER = 0.01  # seconds: a signal that came where it cannot be acted on is sent again after this
_owner: int | None = None  # the process that installed the handler


def _handler(signum, frame):
    if os.getpid() != _owner:
        os._exit(128 + signum)  # a forked worker: the main process reports the interrupt
    if _not_here(frame):
        # the signal is sent again, to be acted on a moment later, outside the place that
        # cannot take an exception
        threading.Timer(RESEND_AFTER, os.kill, (os.getpid(), signum)).start()
        return
    raise _BY_SIGNAL.get(signum, Interrupted)()


# weakref callbacks run where the garbage collector or a reference count drops an object:
# like __del__, an exception raised in them is printed and dropped
_CALLBACK_MODULES = ("weakref.py", "_weakrefset.py")


def _not_here(frame) -> bool:
    """Whether an exception raised at ``frame`` would not end the run cleanly: in a
    ``__del__`` or a weakref callback it is printed ("Exception ignored in ...") and
    dropped, and the run goes on; in an import, it can reach a C++ extension's
    initialisation (pikepdf's), which aborts the process."""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or code.co_filename.startswith("<frozen importlib") \
                or code.co_filename.endswith(_CALLBACK_MODULES):
            return True
        frame = frame.f_back
    return False


def _exit_quietly(signum, frame):
    os._exit(128 + signum)


@contextlib.contextmanager
def handled(last: bool = False):
    """For the block (the command line's whole run): SIGINT and SIGTERM raise
    :class:`Interrupted` here and end forked workers silently. Only in the main thread
    (elsewhere signals cannot be handled, and the block runs with the handlers it has).

    ``last``: the block is all the process does (the program's ``main``): after it, both
    signals are ignored instead of restored, since all that is left is the interpreter's
    shutdown, after the job was done or given up, and an interrupt there would only print
    a traceback from whatever clean-up it hit (and, for a job that was done, exit as if it
    had not been)."""
    global _owner
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    owner, _owner = _owner, os.getpid()
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _unraisable(previous_hook)
    try:
        for sig in SIGNALS:
            signal.signal(sig, _handler)
        yield
    finally:
        for sig, handler in previous.items():
            if last:
                signal.signal(sig, signal.SIG_IGN)
            elif handler is not None:  # (None: installed outside Python, cannot be put back from here)
                signal.signal(sig, handler)
        sys.unraisablehook = previous_hook
        _owner = owner


def _unraisable(previous_hook):
    """An interrupt raised where Python drops exceptions (a weakref callback, an at-fork
    handler, a finalizer: "Exception ignored in ...") is not lost: the signal is sent again,
    to be acted on a moment later where it can end the run; nothing is printed for it.
    Anything else goes to the hook that was there before."""
    def hook(unraisable):
        exc = unraisable.exc_value
        if isinstance(exc, Interrupted) and os.getpid() == _owner:
            threading.Timer(RESEND_AFTER, os.kill, (os.getpid(), int(exc.signum))).start()
            return
        previous_hook(unraisable)
    return hook


def quiet_worker() -> None:
    """In a worker process: SIGINT and SIGTERM end it at once, without a traceback (its
    parent sees the worker gone, or is itself interrupted and reports that); and it ends
    when its parent does. A parent killed outright (``kill -9``) otherwise leaves its pool
    workers waiting for work forever, holding the files the parent had open, among them
    the lock of the outputs it was writing (pipeline.infra.locks): no later run could write them."""
    if threading.current_thread() is threading.main_thread():
        for sig in SIGNALS:
            signal.signal(sig, _exit_quietly)
    parent = os.getppid()
    threading.Thread(target=_follow_parent, args=(parent,), name="follow-parent", daemon=True).start()


def _follow_parent(parent: int) -> None:
    import time

    while os.getppid() == parent:  # (a process whose parent died is handed to another)
        time.sleep(PARENT_POLL)
    os._exit(128 + signal.SIGTERM)


@contextlib.contextmanager
def deferred():
    """Hold SIGINT and SIGTERM back during the block; one that arrived is acted on (by the
    handler in place before) as soon as the block ends. A no-op outside the main thread,
    where Python runs no signal handler anyway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    for sig in SIGNALS:
        signal.signal(sig, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)
        if received:
            signal.raise_signal(received[0])
