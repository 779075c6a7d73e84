"""Archive files (WARC/ARC) opened as streams: local paths, ``file://``, ``https://`` through the
SSRF guard, ``s3://`` with boto3; and the list of a Common Crawl CC-NEWS month.

A remote file is never held in memory or on disk: it is read as the records are parsed, so a
gigabyte file costs a buffer. A file that stopped half-way is opened again at an offset (a
Range request), which is how a backfill resumes.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urljoin, urlsplit

import httpcore

from newsdesk.config import HttpSettings
from newsdesk.errors import ArchiveError, FetchError, UnsafeURLError
from newsdesk.fetch.guard import AddressPolicy, SyncGuardedBackend


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://", "s3://"))


@contextmanager
def open_location(location: str, *, offset: int = 0, http: HttpSettings | None = None) -> Iterator[IO[bytes]]:
    """A binary stream of ``location`` (a path, ``file://``, ``https://`` or ``s3://``) from ``offset``.

    Remote files are streamed, never held in memory, through the same SSRF guard and time bounds
    as every download (a WARC file of a gigabyte has no size bound: it is read record by record).
    """
    http = http or HttpSettings()
    if location.startswith(("http://", "https://")):
        with _http_stream(location, offset, http) as stream:
            yield stream
        return
    if location.startswith("s3://"):
        with _s3_stream(location, offset) as stream:
            yield stream
        return
    path = Path(unquote(urlsplit(location).path)) if location.startswith("file://") else Path(location)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ArchiveError(f"cannot open: {exc.strerror or exc}") from exc
    with handle:
        handle.seek(offset)
        yield handle


class _ChunkStream(io.RawIOBase):
    """A readable stream over an iterator of byte chunks; ``tell`` counts from ``start``."""

    def __init__(self, chunks: Iterator[bytes], start: int) -> None:
        self._chunks = chunks
        self._buffer = b""
        self._position = start

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buffer = chunk
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        self._position += n
        return n

    def tell(self) -> int:
        return self._position

    def skip(self, count: int) -> None:
        while count > 0:
            data = self.read(min(count, 1 << 20))
            if not data:
                raise ArchiveError(f"the file ends before byte {self._position + count}")
            count -= len(data)


@contextmanager
def _http_stream(url: str, offset: int, http: HttpSettings) -> Iterator[IO[bytes]]:
    timeouts = {
        "connect": http.connect_timeout_s,
        "read": http.read_timeout_s,
        "write": http.read_timeout_s,
        "pool": http.connect_timeout_s,
    }
    headers = [(b"User-Agent", http.user_agent.encode()), (b"Accept-Encoding", b"identity")]
    if offset:
        headers.append((b"Range", f"bytes={offset}-".encode()))
    with httpcore.ConnectionPool(network_backend=SyncGuardedBackend(AddressPolicy(http.allow_private))) as pool:
        for _hop in range(http.max_redirects + 1):
            try:
                with pool.stream("GET", url, headers=headers, extensions={"timeout": timeouts}) as response:
                    if response.status in (301, 302, 303, 307, 308):
                        location = dict((k.lower(), v) for k, v in response.headers).get(b"location")
                        if not location:
                            raise ArchiveError(f"HTTP {response.status} without a Location")
                        url = urljoin(url, location.decode("latin-1"))
                        if not url.startswith(("http://", "https://")):
                            raise ArchiveError(f"redirect to a refused scheme: {url}")
                        continue
                    if response.status not in (200, 206):
                        raise ArchiveError(f"HTTP {response.status}")
                    stream = _ChunkStream(iter(response.iter_stream()), 0 if response.status == 200 else offset)
                    if response.status == 200 and offset:
                        stream.skip(offset)  # the server ignored the Range header
                    yield io.BufferedReader(stream, buffer_size=1 << 16)
                    return
            except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
                raise ArchiveError(f"download failed: {type(exc).__name__}: {exc}") from exc
            except (UnsafeURLError, FetchError) as exc:
                raise ArchiveError(str(exc)) from exc
        raise ArchiveError(f"more than {http.max_redirects} redirects")


@contextmanager
def _s3_stream(location: str, offset: int) -> Iterator[IO[bytes]]:
    try:
        import boto3
    except ImportError as exc:
        raise ArchiveError("s3:// locations need boto3 (pip install boto3) and AWS credentials") from exc
    parts = urlsplit(location)
    kwargs = {"Bucket": parts.netloc, "Key": parts.path.lstrip("/")}
    if offset:
        kwargs["Range"] = f"bytes={offset}-"
    try:
        body = boto3.client("s3").get_object(**kwargs)["Body"]
    except Exception as exc:  # noqa: BLE001 - botocore's errors: the file's failure, reported with its reason
        raise ArchiveError(f"cannot open: {type(exc).__name__}: {exc}") from exc
    stream = _ChunkStream(iter(lambda: body.read(1 << 20), b""), offset)
    try:
        yield io.BufferedReader(stream, buffer_size=1 << 16)
    finally:
        body.close()


CCNEWS_BASE = "https://data.commoncrawl.org/"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def ccnews_files(month: str, http: HttpSettings | None = None, *, base: str = CCNEWS_BASE) -> list[str]:
    """The URLs of every CC-NEWS WARC file of ``month`` (YYYY-MM), from Common Crawl's path list."""
    match = _MONTH.match(month)
    if not match:
        raise ArchiveError(f"not a month (YYYY-MM): {month!r}")
    listing = f"{base}crawl-data/CC-NEWS/{match.group(1)}/{match.group(2)}/warc.paths.gz"
    with open_location(listing, http=http) as stream:
        try:
            text = gzip.GzipFile(fileobj=stream).read(16 * 1024 * 1024).decode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{listing}: not a gzip'd list of paths: {exc}") from exc
    return [base + line.strip() for line in text.splitlines() if line.strip().endswith((".warc.gz", ".warc"))]
