"""The templates' changelog, and the entries an update brings."""

from __future__ import annotations

import re
from pathlib import Path

CHANGELOG = "CHANGELOG.md"


def entries_between(templates: Path, old: str, new: str) -> list[str]:
    """The changelog sections of the versions after ``old`` up to ``new``, newest first.

    ``templates`` is a folder of templates with its CHANGELOG.md; versions are compared as
    PEP 440 versions (a ``git describe`` suffix on ``old`` is ignored).
    """
    from packaging.version import InvalidVersion, Version

    changelog = templates / CHANGELOG
    if not changelog.is_file():
        return []
    try:
        low, high = Version(_release(old)), Version(_release(new))
    except InvalidVersion:
        return []
    entries = []
    for section in re.split(r"^## ", changelog.read_text(encoding="utf-8"), flags=re.M)[1:]:
        heading = section.split(maxsplit=1)[0] if section.strip() else ""
        try:
            version = Version(heading)
        except InvalidVersion:
            continue
        if low < version <= high:
            entries.append("## " + section.strip())
    return entries


def _release(version: str) -> str:
    """``0.1.0`` from ``0.1.0-3-gabc1234`` (what `git describe` names between tags)."""
    return version.split("-", 1)[0]
