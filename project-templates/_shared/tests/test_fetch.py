"""The data download: local file first, verified download, clear errors, offline message."""

import functools
import hashlib
import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from {{ package_name }}.fetch import DataError, RawFile, fetch

CONTENT = b"a,b\n1,2\n"


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www on 127.0.0.1 for the length of one test."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def raw_file(url: str, sha256: str | None = None) -> RawFile:
    return RawFile(
        name="table.csv",
        url=url,
        sha256=hashlib.sha256(CONTENT).hexdigest() if sha256 is None else sha256,
        landing_page="https://example.org/table",
        member="data/table.csv",
    )


def make_zip(path: Path, content: bytes = CONTENT) -> None:
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("data/table.csv", content)


def test_downloads_unzips_and_verifies(server, tmp_path):
    root, base = server
    make_zip(root / "table.zip")
    raw_dir = tmp_path / "raw"
    path = fetch(raw_file(f"{base}/table.zip"), raw_dir)
    assert path == raw_dir / "table.csv"
    assert path.read_bytes() == CONTENT
    assert [p.name for p in raw_dir.iterdir()] == ["table.csv"]


def test_local_file_is_used_without_download(tmp_path):
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    (raw_dir / "table.csv").write_bytes(CONTENT)
    # The URL cannot be reached: the local file must be used without trying it.
    assert fetch(raw_file("http://127.0.0.1:9/none.zip"), raw_dir).read_bytes() == CONTENT


def test_local_file_with_wrong_checksum_is_refused(tmp_path):
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    (raw_dir / "table.csv").write_bytes(CONTENT[:-3])
    with pytest.raises(DataError, match="does not match the official file"):
        fetch(raw_file("http://127.0.0.1:9/none.zip"), raw_dir)


def test_empty_local_file_is_refused(tmp_path):
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    (raw_dir / "table.csv").write_bytes(b"")
    with pytest.raises(DataError, match="is empty"):
        fetch(raw_file("http://127.0.0.1:9/none.zip"), raw_dir)


def test_corrupted_download_leaves_nothing_behind(server, tmp_path):
    root, base = server
    make_zip(root / "table.zip", content=b"a,b\n1,")
    raw_dir = tmp_path / "raw"
    with pytest.raises(DataError, match="does not match the official file"):
        fetch(raw_file(f"{base}/table.zip"), raw_dir)
    assert list(raw_dir.iterdir()) == []


def test_not_a_zip_is_a_clear_error(server, tmp_path):
    root, base = server
    (root / "table.zip").write_text("<html>Not found</html>")
    with pytest.raises(DataError, match="not the expected zip"):
        fetch(raw_file(f"{base}/table.zip"), tmp_path / "raw")


def test_offline_message_says_where_to_put_the_file(server, tmp_path):
    _, base = server
    with pytest.raises(DataError) as error:
        fetch(raw_file(f"{base}/missing.zip"), tmp_path / "raw")
    message = str(error.value)
    assert "https://example.org/table" in message
    assert str(tmp_path / "raw" / "table.csv") in message
    assert "--sample" in message
