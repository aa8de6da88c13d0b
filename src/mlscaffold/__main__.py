"""`python -m mlscaffold` and the `mlscaffold` command."""

import sys


def main() -> None:
    """Run the CLI; a Ctrl-C even while it starts ends quietly with status 130."""
    try:
        from mlscaffold.cli import app

        app(prog_name="mlscaffold")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
