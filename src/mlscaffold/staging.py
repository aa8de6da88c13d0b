"""Staging folders, where a project is rendered before it is moved into place, and the file
locks that keep concurrent runs apart.

A staging folder is ``.mlscaffold-<pid>-<random>`` and holds a ``lock`` file that its run keeps
locked. A run killed before it could clean up leaves the lock free, so the next run beside it
removes the folder. Copier's own temporary folders are made inside it, so they go with it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

PREFIX = ".mlscaffold-"


@contextlib.contextmanager
def locked(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """An exclusive lock on the file ``path`` (made if missing), released on exit or when the
    process dies. With ``wait=False``, yields whether the lock was free instead of waiting."""
    with path.open("a") as handle:
        got = _lock(handle.fileno(), wait)
        try:
            yield got
        finally:
            if got:
                _unlock(handle.fileno())


@contextlib.contextmanager
def locked_folder(path: Path) -> Iterator[None]:
    """An exclusive lock on the folder ``path`` itself (no file is added to it)."""
    if os.name == "nt":  # pragma: no cover - Windows cannot lock a folder; rename stays atomic
        yield
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        _lock(descriptor, True)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _lock(descriptor: int, wait: bool) -> bool:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        os.lseek(descriptor, 0, os.SEEK_SET)
        try:
            msvcrt.locking(descriptor, msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _unlock(descriptor: int) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        os.lseek(descriptor, 0, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(descriptor, fcntl.LOCK_UN)


@contextlib.contextmanager
def staging_folder(parent: Path) -> Iterator[Path]:
    """A fresh staging folder in ``parent``, removed on exit; stale ones there go first.

    While it exists, Python's temporary files (copier's clones among them) are made inside it.
    """
    remove_stale(parent)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=parent))
    previous = tempfile.tempdir
    try:
        with locked(folder / "lock"):
            (folder / "tmp").mkdir()
            tempfile.tempdir = str(folder / "tmp")
            try:
                yield folder
            finally:
                tempfile.tempdir = previous
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def is_staging(path: Path) -> bool:
    return path.name.startswith(PREFIX)


def remove_stale(parent: Path) -> None:
    """Remove the staging folders in ``parent`` whose run has died."""
    try:
        candidates = [path for path in parent.iterdir() if is_staging(path) and path.is_dir()]
    except OSError:
        return
    for folder in candidates:
        if _is_stale(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _is_stale(folder: Path) -> bool:
    lock = folder / "lock"
    if lock.is_file():
        try:
            with locked(lock, wait=False) as free:
                return free
        except OSError:
            return False
    # Killed between making the folder and locking it: its process is gone.
    pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
    return pid.isdigit() and not _alive(int(pid))


def _alive(pid: int) -> bool:
    if os.name == "nt":  # pragma: no cover - os.kill would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else, or the platform cannot tell
        return True
    return True
