"""Generate ready-to-run machine-learning portfolio repositories from guided projects."""

from typing import Any


def __getattr__(name: str) -> Any:
    # Looked up when asked for, so that `import mlscaffold` itself does nothing slow.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("mlscaffold")
        except PackageNotFoundError:  # running from a checkout that was never installed
            return "0.0.0"
    raise AttributeError(f"module 'mlscaffold' has no attribute {name!r}")
