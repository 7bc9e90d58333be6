"""Downloading the full MNIST, the four gzipped IDX files, into a cache directory.

Mirrors are tried in order; every file is checked against its SHA-256 digest and only
then moved into place (written to a temporary file in the cache directory first), so
the cache never holds a partial or wrong file. Files already cached and valid are not
downloaded again. urllib only, no other network library.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

from tqdm import tqdm

from mnist_ref.data.errors import DataError

DEFAULT_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://yann.lecun.com/exdb/mnist/",
)
DEFAULT_SHA256 = MappingProxyType(
    {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    }
)
CACHE_ENV_VAR = "MNIST_REF_CACHE"
DEFAULT_CACHE_DIR = Path("~/.cache/mnist-ref")
TIMEOUT_SECONDS = 30
CHUNK_BYTES = 1 << 16
USER_AGENT = "mnist-ref"
MANUAL_HINT = "download the files yourself and pass --data DIR"


class _ChecksumMismatch(Exception):
    """A mirror served a file whose SHA-256 digest is not the expected one."""


def cache_directory(cache_dir: str | os.PathLike | None = None) -> Path:
    """The cache directory: ``cache_dir`` if given, else $MNIST_REF_CACHE, else ~/.cache/mnist-ref."""
    chosen = cache_dir if cache_dir is not None else os.environ.get(CACHE_ENV_VAR) or DEFAULT_CACHE_DIR
    return Path(chosen).expanduser()


def download_mnist(
    cache_dir: str | os.PathLike | None = None,
    *,
    mirrors: Sequence[str] = DEFAULT_MIRRORS,
    sha256: Mapping[str, str] = DEFAULT_SHA256,
    progress: bool = True,
) -> Path:
    """The cache directory, holding every file named in ``sha256`` with its expected digest.

    ``mirrors`` are base URLs, each serving the files by name; ``sha256`` maps a file name to
    its hex digest. Missing or corrupted files are downloaded (with a tqdm progress bar when
    ``progress``); a DataError says what failed when no mirror delivers a valid file.
    """
    directory = cache_directory(cache_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(
            f"cannot create the cache directory {directory} ({error}); "
            f"set {CACHE_ENV_VAR} or pass another directory"
        ) from None
    for name, expected in sha256.items():
        target = directory / name
        if not (target.is_file() and file_sha256(target) == expected):
            _download_from_mirrors(name, expected, mirrors, target, progress)
    return directory


def file_sha256(path: Path) -> str:
    """The hex SHA-256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _download_from_mirrors(
    name: str, expected: str, mirrors: Sequence[str], target: Path, progress: bool
) -> None:
    """Try each mirror in turn until one delivers ``name`` with the expected digest."""
    failures = []
    all_unreachable = True
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        try:
            _download_verified(url, expected, target, progress)
            return
        except _ChecksumMismatch as error:
            failures.append(f"{url}: {error}")
            all_unreachable = False
        except urllib.error.HTTPError as error:
            failures.append(f"{url}: HTTP {error.code} {error.reason}")
            all_unreachable = False
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            failures.append(f"{url}: {getattr(error, 'reason', error)}")
    details = "; ".join(failures) or "no mirrors given"
    problem = (
        "could not reach any mirror" if all_unreachable else f"could not download {name} from any mirror"
    )
    raise DataError(f"{problem} ({details}); {MANUAL_HINT}")


def _download_verified(url: str, expected: str, target: Path, progress: bool) -> None:
    """Download ``url`` to a temporary file beside ``target``, check its digest, then move it into place."""
    handle, temporary_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    temporary = Path(temporary_name)
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with (
            os.fdopen(handle, "wb") as output,
            urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response,
        ):
            length = response.headers.get("Content-Length")
            with tqdm(
                total=int(length) if length else None,
                desc=target.name,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                disable=not progress,
                leave=False,
            ) as bar:
                actual = _copy_and_hash(response, output, bar)
        if actual != expected:
            raise _ChecksumMismatch(f"SHA-256 {actual}, expected {expected}")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _copy_and_hash(source: BinaryIO, output: BinaryIO, bar: tqdm) -> str:
    """Copy ``source`` to ``output`` chunk by chunk, advancing ``bar``; the hex SHA-256 of the bytes."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: source.read(CHUNK_BYTES), b""):
        digest.update(chunk)
        output.write(chunk)
        bar.update(len(chunk))
    return digest.hexdigest()
