"""WARC and ARC files as a source: the HTML pages a crawler already fetched (Common Crawl's
CC-NEWS, an institution's web archive, a crawl of one's own).

Records are read as a stream (gzip members one at a time, each body bounded), so a file of any
size is read in constant memory. A record says where the next one starts, which is the point a
backfill resumes from. A file that ends in the middle of a record (a download cut short, a disk
that filled up) raises ``ArchiveError`` after the records before the cut were yielded; a record
that is not an HTML response is counted and skipped.
"""

from __future__ import annotations

import io
import re
import uuid
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdesk.errors import ArchiveError

# Media types taken as web pages; anything else (images, PDFs, JSON, robots.txt) is skipped.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True, slots=True)
class Capture:
    """One HTML response as the crawler received it."""

    url: str
    fetched_at: datetime | None  # WARC-Date: when the crawler fetched the page
    record_id: str | None  # WARC-Record-ID (ARC files have none)
    http_status: int
    content_type: str | None
    body: bytes
    offset: int  # where the record starts in the file
    next_offset: int  # where the next record starts: the resume point once this one is stored


@dataclass(slots=True)
class ReadStats:
    """What reading a file met, for the run's counts (skipped records are counted, never dropped silently)."""

    records: int = 0
    responses: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, int]:
        return {
            "records": self.records,
            "responses": self.responses,
            **{f"skipped_{k}": v for k, v in self.skipped.items()},
        }


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    text = value.strip()
    try:
        if text.isdigit() and len(text) == 14:  # ARC: yyyyMMddHHmmss
            return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iter_captures(stream: IO[bytes], *, max_body_bytes: int, stats: ReadStats | None = None) -> Iterator[Capture]:
    """The HTML responses in ``stream`` (positioned at a record's start), in file order.

    Bodies longer than ``max_body_bytes`` (after the HTTP content encoding is undone) are
    skipped as ``too_large``: the same bound as a download.
    """
    stats = stats if stats is not None else ReadStats()
    records = ArchiveIterator(stream, arc2warc=True)
    end = records.offset
    try:
        for record in records:
            stats.records += 1
            capture = _capture(record, max_body_bytes, stats)
            # Reading the record to its end gives its length (the next record's offset) and shows
            # a record cut short: its block holds fewer bytes than its Content-Length says.
            offset = records.get_record_offset()
            _check_whole(record, offset)
            end = records.offset  # the next record's start (after this one's trailing blank lines)
            if capture is not None:
                stats.responses += 1
                yield Capture(**capture, offset=offset, next_offset=end)
        # The iterator stops quietly at bytes it cannot parse as a record: a file cut within a
        # record's headers (or its first gzip member) would look like a short, whole file.
        leftover = _position(records) - end
        if leftover > _TRAILING_SLACK:
            raise ArchiveError(f"{leftover} bytes after byte {end} are not a whole record: the file is cut short")
    # warcio meets malformed input with whatever its parser raises (an AttributeError on a header
    # cut in half): every one of them means the file cannot be read on from there.
    except (ArchiveLoadFailed, EOFError, zlib.error, ValueError, AttributeError, IndexError, TypeError) as exc:
        raise ArchiveError(
            f"not readable after record {stats.records}: {type(exc).__name__}: {_first_line(exc)}"
        ) from exc
    except OSError as exc:
        raise ArchiveError(f"cannot read: {exc}") from exc


# The record types of WARC 1.0/1.1 (ARC records are read as these too).
RECORD_TYPES = frozenset(
    {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation"}
)


def _check_whole(record: object, offset: int) -> None:
    """Raise ArchiveError unless the record is whole: a known type, a Content-Length, and a block
    that holds every byte the length promises (the file was not cut within it)."""
    rec_type = getattr(record, "rec_type", None)
    if rec_type not in RECORD_TYPES:
        raise ArchiveError(
            f"record at byte {offset} has no valid type ({rec_type!r}): the file is cut short or not a WARC"
        )
    headers = record.rec_headers  # type: ignore[attr-defined]
    if not (headers.get_header("Content-Length") or "").strip().isdigit():
        raise ArchiveError(f"record at byte {offset} has no Content-Length: the file is cut short or not a WARC")
    target = headers.get_header("WARC-Target-URI")
    if rec_type != "warcinfo" and target is not None and not _URI.match(target):
        # What an ARC header line would start with: text that is not an archive reads as one.
        raise ArchiveError(f"record at byte {offset} names no URL: not a WARC or ARC file")
    remaining = getattr(record.raw_stream, "limit", 0)  # type: ignore[attr-defined]
    if remaining:
        raise ArchiveError(f"record at byte {offset} is cut short: {remaining} bytes missing")


_URI = re.compile(r"^<?[a-zA-Z][a-zA-Z0-9+.-]*:\S*$")

# Blank lines after an uncompressed file's last record are not part of its length.
_TRAILING_SLACK = 4


def _position(records: ArchiveIterator) -> int:
    """How far the iterator has read into the file (in the file's own bytes)."""
    try:
        return int(records.fh.tell())
    except (OSError, ValueError):
        return 0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else "no detail"


def _capture(record: object, max_body_bytes: int, stats: ReadStats) -> dict | None:
    """The fields of an HTML response record, or None (counted in ``stats.skipped``)."""
    rec_type = getattr(record, "rec_type", None)
    if rec_type != "response":
        stats.skipped[str(rec_type or "unknown")] += 1
        return None
    headers = record.rec_headers  # type: ignore[attr-defined]
    http = record.http_headers  # type: ignore[attr-defined]
    url = (headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if not url.startswith(("http://", "https://")):
        stats.skipped["not_http"] += 1
        return None
    if http is None:
        stats.skipped["no_http_headers"] += 1
        return None
    try:
        status = int(http.get_statuscode() or 0)
    except ValueError:
        status = 0
    if status != 200:
        stats.skipped[f"http_{status}" if status else "http_unknown"] += 1
        return None
    content_type = http.get_header("Content-Type")
    if _media_type(content_type) not in HTML_TYPES:
        stats.skipped["not_html"] += 1
        return None
    try:
        body = record.content_stream().read(max_body_bytes + 1)  # type: ignore[attr-defined]
    except (zlib.error, OSError, EOFError, ValueError):
        # The page's own Content-Encoding is broken: this record's loss, not the file's.
        stats.skipped["undecodable"] += 1
        return None
    if len(body) > max_body_bytes:
        stats.skipped["too_large"] += 1
        return None
    return {
        "url": url,
        "fetched_at": _warc_date(headers.get_header("WARC-Date") or headers.get_header("archive-date")),
        "record_id": headers.get_header("WARC-Record-ID"),
        "http_status": status,
        "content_type": content_type,
        "body": body,
    }


@dataclass(frozen=True, slots=True)
class Response:
    """One HTTP response to write into a WARC file (see ``write_warc``)."""

    url: str
    body: bytes
    fetched_at: datetime
    status: int = 200
    content_type: str = "text/html; charset=utf-8"


def write_warc(out: IO[bytes], responses: Iterable[Response], *, gzip: bool = True) -> int:
    """Write ``responses`` as WARC response records, one gzip member each (as crawlers write
    them), with record ids derived from URL and date so the same input gives the same file.
    Used for the offline sample, the tests and the benchmarks; returns the records written."""
    writer = WARCWriter(out, gzip=gzip, warc_version="1.0")
    written = 0
    for response in responses:
        date = response.fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        record_id = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, response.url + ' ' + date)}>"
        reason = "OK" if response.status == 200 else "Not Found" if response.status == 404 else "Status"
        http_headers = StatusAndHeaders(
            f"{response.status} {reason}",
            [("Content-Type", response.content_type), ("Content-Length", str(len(response.body)))],
            protocol="HTTP/1.1",
        )
        record = writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": record_id},
        )
        writer.write_record(record)
        written += 1
    return written
