"""Get a raw data file: the copy in data/raw/ when present, else a verified download.

The download goes through pooch; a file that fails its checksum is never used, and without
network the error says where to get the file by hand.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .runtime import ProjectError, sha256_of


@dataclass(frozen=True)
class RawFile:
    """A raw data file as its official source publishes it."""

    name: str
    """Official file name, expected at ``data/raw/<name>``."""
    url: str
    """Official download URL: the file itself, or a zip that holds it as ``member``."""
    sha256: str | None
    """SHA-256 of the file that is used; ``None`` where the source publishes no fixed file."""
    landing_page: str
    """Where a person can download the file by hand."""
    member: str | None = None
    """Path of the file inside the zip at ``url``; ``None`` when ``url`` is the file."""


def verify(raw: RawFile, path: Path) -> None:
    """Raise ProjectError unless ``path`` is non-empty and matches the pinned checksum."""
    if path.stat().st_size == 0:
        raise ProjectError(f"{path} is empty. Delete it and run the data stage again.")
    if raw.sha256 is None:
        return
    actual = sha256_of(path)
    if actual != raw.sha256:
        raise ProjectError(
            f"{path} does not match the official file (sha256 {actual[:12]}…, expected "
            f"{raw.sha256[:12]}…): it is truncated, re-saved or another version. Delete it and "
            f"run the data stage again, or download it by hand from {raw.landing_page}."
        )


def offline_message(raw: RawFile, target: Path, reason: str) -> str:
    """The one paragraph a user without network (or without the file) needs."""
    return (
        f"Could not download {raw.name} ({reason}). Download it by hand from "
        f"{raw.landing_page}{' (it is inside the zip file)' if raw.member else ''} and save it "
        f"as {target}; it is used from there without any download. To try the pipeline without "
        "the real data, run it with --sample: a small synthetic sample with the same columns, "
        "labelled as such in every report."
    )


def fetch(raw: RawFile, raw_dir: Path, *, url: str | None = None) -> Path:
    """Return the verified path of ``raw`` in ``raw_dir``, downloading it only if it is missing.

    ``url`` overrides the official URL (a mirror, or a local server in tests).
    """
    target = raw_dir / raw.name
    if target.exists():
        verify(raw, target)
        return target

    import pooch  # imported here: only a download needs it

    raw_dir.mkdir(parents=True, exist_ok=True)
    source = url or raw.url
    with tempfile.TemporaryDirectory(dir=raw_dir, prefix=".download-") as tmp:
        try:
            downloaded = pooch.retrieve(source, known_hash=None, path=tmp, progressbar=False)
        # requests' errors, which pooch raises for HTTP, are OSErrors too.
        except (OSError, ValueError) as error:
            raise ProjectError(offline_message(raw, target, type(error).__name__)) from error
        path = Path(downloaded)
        if raw.member is not None:
            path = _extract(path, raw.member, Path(tmp))
        verify(raw, path)
        # Move into place only once verified, so data/raw/ never holds a bad or partial file.
        shutil.move(path, target)
    return target


def _extract(archive: Path, member: str, into: Path) -> Path:
    import zipfile

    try:
        with zipfile.ZipFile(archive) as zipped:
            return Path(zipped.extract(member, into / "unzipped"))
    except (zipfile.BadZipFile, KeyError) as error:
        raise ProjectError(
            f"The download from {archive.name} is not the expected zip with {member} "
            f"({error}). Download it by hand and save {member} in data/raw/."
        ) from error
