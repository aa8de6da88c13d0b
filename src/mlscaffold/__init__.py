"""Generate ready-to-run machine-learning portfolio repositories from guided projects."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mlscaffold")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
