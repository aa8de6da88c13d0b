"""Generate ready-to-run machine-learning portfolio repositories from guided projects.

Installed as the distribution ``mlscaffold-portfolio`` (the name ``mlscaffold`` on the package
index belongs to an unrelated project); imported and run as ``mlscaffold``.
"""

# The one place the version is defined: the build reads it from here (pyproject.toml).
__version__ = "0.2.0"
