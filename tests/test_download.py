"""download_mnist against a local HTTP server on 127.0.0.1 serving files the tests write themselves."""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from data_fixtures import fake_digits, idx_bytes

from mnist_ref.data import (
    CACHE_ENV_VAR,
    DEFAULT_MIRRORS,
    DEFAULT_SHA256,
    DataError,
    cache_directory,
    download_mnist,
    load_mnist,
)

TRAIN_IMAGES, TRAIN_LABELS = fake_digits(per_class=2, seed=11)
TEST_IMAGES, TEST_LABELS = fake_digits(per_class=1, seed=12)
FILES = {
    "train-images-idx3-ubyte.gz": gzip.compress(idx_bytes(TRAIN_IMAGES.reshape(-1, 28, 28))),
    "train-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(TRAIN_LABELS)),
    "t10k-images-idx3-ubyte.gz": gzip.compress(idx_bytes(TEST_IMAGES.reshape(-1, 28, 28))),
    "t10k-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(TEST_LABELS)),
}
SHA256 = {name: hashlib.sha256(content).hexdigest() for name, content in FILES.items()}
MANUAL_HINT = "; download the files yourself and pass --data DIR"


@dataclass
class Mirror:
    """A local server's base URL, and the paths it was asked for."""

    url: str
    requested: list[str]


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk to 127.0.0.1 directly even where a proxy is configured."""
    monkeypatch.setenv("no_proxy", "*")


@pytest.fixture
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mirror]:
    """An HTTP server in a thread, on a free port, serving FILES from a directory of its own."""
    served = tmp_path_factory.mktemp("served")
    for name, content in FILES.items():
        (served / name).write_bytes(content)
    requested: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(served), **kwargs)

        def do_GET(self) -> None:
            requested.append(self.path)
            super().do_GET()

        def log_message(self, *args) -> None:
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield Mirror(f"http://127.0.0.1:{server.server_address[1]}/", requested)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def unreachable_url() -> str:
    """A URL on a local port where nothing listens, so connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def cached_names(directory: Path) -> list[str]:
    """Every file in the cache, hidden temporary files included."""
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


def test_downloads_verified_files_that_load_as_mnist(tmp_path: Path, mirror: Mirror) -> None:
    cache = tmp_path / "cache"
    result = download_mnist(cache, mirrors=[mirror.url], sha256=SHA256, progress=False)
    assert result == cache
    assert cached_names(cache) == sorted(FILES)
    for name, content in FILES.items():
        assert (cache / name).read_bytes() == content
    data = load_mnist(result)
    np.testing.assert_array_equal(data.train_images, TRAIN_IMAGES)
    np.testing.assert_array_equal(data.test_labels, TEST_LABELS)


@pytest.mark.parametrize("first_mirror", ["refused", "not-found"])
def test_next_mirror_is_tried_when_the_first_fails(tmp_path: Path, mirror: Mirror, first_mirror: str) -> None:
    broken = unreachable_url() if first_mirror == "refused" else mirror.url + "no-such-folder/"
    download_mnist(tmp_path, mirrors=[broken, mirror.url], sha256=SHA256, progress=False)
    assert cached_names(tmp_path) == sorted(FILES)


def test_checksum_mismatch_is_rejected_and_nothing_is_cached(tmp_path: Path, mirror: Mirror) -> None:
    wrong = SHA256 | {"train-labels-idx1-ubyte.gz": "0" * 64}
    with pytest.raises(DataError) as caught:
        download_mnist(tmp_path, mirrors=[mirror.url, mirror.url], sha256=wrong, progress=False)
    message = str(caught.value)
    assert message.startswith("could not download train-labels-idx1-ubyte.gz from any mirror (")
    assert f"SHA-256 {SHA256['train-labels-idx1-ubyte.gz']}, expected {'0' * 64}" in message
    assert message.endswith(MANUAL_HINT)
    assert cached_names(tmp_path) == ["train-images-idx3-ubyte.gz"]  # the file before it, and no leftovers


def test_all_mirrors_down_gives_the_offline_message(tmp_path: Path) -> None:
    mirrors = [unreachable_url(), unreachable_url()]
    with pytest.raises(DataError) as caught:
        download_mnist(tmp_path / "cache", mirrors=mirrors, sha256=SHA256, progress=False)
    message = str(caught.value)
    assert message.startswith("could not reach any mirror (")
    assert message.endswith(MANUAL_HINT)
    for url in mirrors:
        assert f"{url}train-images-idx3-ubyte.gz: " in message
    assert "\n" not in message
    assert cached_names(tmp_path / "cache") == []


def test_cached_files_are_not_downloaded_again(tmp_path: Path, mirror: Mirror) -> None:
    download_mnist(tmp_path, mirrors=[mirror.url], sha256=SHA256, progress=False)
    assert len(mirror.requested) == len(FILES)
    download_mnist(tmp_path, mirrors=[mirror.url], sha256=SHA256, progress=False)
    download_mnist(tmp_path, mirrors=[unreachable_url()], sha256=SHA256, progress=False)  # offline is fine
    assert len(mirror.requested) == len(FILES)


def test_a_corrupted_cached_file_is_downloaded_again(tmp_path: Path, mirror: Mirror) -> None:
    download_mnist(tmp_path, mirrors=[mirror.url], sha256=SHA256, progress=False)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"truncated")
    download_mnist(tmp_path, mirrors=[mirror.url], sha256=SHA256, progress=False)
    assert mirror.requested[len(FILES) :] == ["/t10k-labels-idx1-ubyte.gz"]
    assert (tmp_path / "t10k-labels-idx1-ubyte.gz").read_bytes() == FILES["t10k-labels-idx1-ubyte.gz"]


def test_progress_bar_names_the_file_only_when_asked(
    tmp_path: Path, mirror: Mirror, capsys: pytest.CaptureFixture[str]
) -> None:
    one_file = {"t10k-labels-idx1-ubyte.gz": SHA256["t10k-labels-idx1-ubyte.gz"]}
    download_mnist(tmp_path / "quiet", mirrors=[mirror.url], sha256=one_file, progress=False)
    assert capsys.readouterr().err == ""
    download_mnist(tmp_path / "shown", mirrors=[mirror.url], sha256=one_file, progress=True)
    assert "t10k-labels-idx1-ubyte.gz" in capsys.readouterr().err


def test_cache_directory_argument_beats_environment_beats_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(CACHE_ENV_VAR, raising=False)
    assert cache_directory() == tmp_path / "home" / ".cache" / "mnist-ref"
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "from-env"))
    assert cache_directory() == tmp_path / "from-env"
    assert cache_directory(tmp_path / "given") == tmp_path / "given"


def test_environment_cache_is_used_by_download(
    tmp_path: Path, mirror: Mirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "from-env"))
    assert download_mnist(mirrors=[mirror.url], sha256=SHA256, progress=False) == tmp_path / "from-env"
    assert cached_names(tmp_path / "from-env") == sorted(FILES)


def test_defaults_name_the_four_canonical_files_and_https_mirrors() -> None:
    assert sorted(DEFAULT_SHA256) == sorted(FILES)
    assert all(len(digest) == 64 and int(digest, 16) >= 0 for digest in DEFAULT_SHA256.values())
    assert DEFAULT_MIRRORS and all(
        url.startswith("https://") and url.endswith("/") for url in DEFAULT_MIRRORS
    )
