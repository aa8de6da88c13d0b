"""The one error type mlscaffold shows to users."""


class MlscaffoldError(Exception):
    """A problem the user can fix; the message says what to do next.

    The CLI prints it as one line on stderr and exits with status 1.
    """
