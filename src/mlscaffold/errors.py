"""The one error type mlscaffold shows to users."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class MlscaffoldError(Exception):
    """A problem the user can fix; the message says what to do next.

    The CLI prints it as one line on stderr and exits with status 1.
    """


@contextlib.contextmanager
def os_errors(doing: str) -> Iterator[None]:
    """Turn a failed file operation (no permission, a name too long, a full disk...) into an
    MlscaffoldError that says what could not be done, where, and why."""
    try:
        yield
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        raise MlscaffoldError(f"Cannot {doing}: {error.strerror or error}{where}.") from None
