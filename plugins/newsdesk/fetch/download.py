"""One bounded HTTP GET: total deadline, size caps while streaming, our own content decoding
(so a decompression bomb is stopped after max_body_bytes decoded bytes, not after inflating a
whole chunk), manual redirects (each hop's scheme checked; the SSRF guard checks each new
connection), and every outcome mapped to a FetchStatus with a reason."""

from __future__ import annotations

import asyncio
import errno
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from newsdesk.config import HttpSettings
from newsdesk.errors import UnsafeURLError
from newsdesk.fetch.guard import ResolveError
from newsdesk.models import FetchStatus

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
_BOMB_FLOOR = 1024 * 1024  # the ratio guard applies above this many decoded bytes
# An unread body (304, error page, redirect) up to this size is read and dropped, so that the
# connection goes back to the pool instead of being closed: a 304 poll then costs no new connection.
_DRAIN_BYTES = 64 * 1024
_DRAIN_SECONDS = 1.0


@dataclass(slots=True)
class Download:
    """What one GET produced (internal to the fetch stage)."""

    status: FetchStatus
    url: str
    final_url: str
    http_status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    wire_bytes: int = 0
    error: str | None = None
    retry_after_s: int | None = None
    duration_ms: int = 0
    # Where the URL moved for good: the target of the last permanent redirect (301/308) in an
    # unbroken run of them from the requested URL (a temporary hop after it is not permanent).
    moved_to: str | None = None
    # No server was reached: the name did not resolve, the connection was refused, timed out or
    # had no route. Alone it is the URL's failure; for every feed of a run at once it is the
    # worker's network (pipeline.polling).
    unreachable: bool = False


def parse_retry_after(value: str | None, *, server_date: str | None = None, now: datetime | None = None) -> int | None:
    """Retry-After as seconds (delta-seconds or HTTP date), never negative; None if absent/garbled.

    An HTTP date is measured against the response's own Date header when present, so a skewed
    clock on either side does not stretch or shrink the wait.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now or datetime.now(UTC)
    if server_date:
        try:
            reference = parsedate_to_datetime(server_date)
            if reference.tzinfo is None:
                reference = reference.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError):
            pass
    return max(0, int((when - reference).total_seconds()))


def status_for_http(code: int) -> FetchStatus:
    if code == 304:
        return FetchStatus.NOT_MODIFIED
    if 200 <= code < 300:
        return FetchStatus.OK
    if code in (408, 425, 429) or code >= 500:
        return FetchStatus.TEMPORARY
    return FetchStatus.HARD


class HttpClient:
    """GETs over an httpcore connection pool: the part of httpx this stage needs, without
    httpx's per-request machinery (cookies, auth, event hooks, model objects), which cost more
    CPU than the HTTP exchange itself for a 304. httpx still parses and encodes the URL.
    No cookies are kept between requests."""

    def __init__(
        self,
        pool: httpcore.AsyncConnectionPool,
        settings: HttpSettings,
        headers: Mapping[str, str],
    ) -> None:
        self.pool = pool
        self._headers = [(k.encode("ascii"), v.encode("ascii")) for k, v in headers.items()]
        self._extensions = {
            "timeout": {
                "connect": settings.connect_timeout_s,
                "read": settings.read_timeout_s,
                "write": settings.read_timeout_s,
                "pool": settings.total_timeout_s,
            }
        }

    async def get(self, url: str, headers: Mapping[str, str] | None) -> _Response:
        parsed = httpx.URL(url)  # raises httpx.InvalidURL; IDNA hosts, percent-encoded path
        raw = [(b"Host", parsed.netloc), *self._headers]
        for name, value in (headers or {}).items():
            raw.append((name.encode("ascii"), _header_bytes(value)))
        request = httpcore.Request(
            b"GET",
            httpcore.URL(scheme=parsed.raw_scheme, host=parsed.raw_host, port=parsed.port, target=parsed.raw_path),
            headers=raw,
            extensions=self._extensions,
        )
        return _Response(await self.pool.handle_async_request(request))

    async def aclose(self) -> None:
        await self.pool.aclose()


def _header_bytes(value: str) -> bytes:
    try:
        return value.encode("ascii")
    except UnicodeEncodeError:  # a validator that came back in another charset goes back as is
        return value.encode("utf-8")


def _header_text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


class _Response:
    """The response fields fetch_url reads; headers by lower-case name, repeats joined by ", "."""

    __slots__ = ("_inner", "headers", "reason_phrase", "status_code")

    def __init__(self, inner: httpcore.Response) -> None:
        self._inner = inner
        self.status_code = inner.status
        headers: dict[str, str] = {}
        for name, value in inner.headers:
            key = name.decode("latin-1").lower()
            text = _header_text(value)
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        self.headers = headers
        phrase = inner.extensions.get("reason_phrase", b"")
        self.reason_phrase = phrase.decode("latin-1") if isinstance(phrase, bytes) else str(phrase)

    def aiter_raw(self) -> AsyncIterator[bytes]:
        return self._inner.aiter_stream()

    async def aclose(self) -> None:
        await self._inner.aclose()


class _TooLarge(Exception):
    pass


class _Decoder:
    """Content-Encoding decoding with a hard cap on decoded bytes."""

    def __init__(self, encodings: list[str], settings: HttpSettings) -> None:
        self._cap = settings.max_body_bytes
        self._ratio = settings.max_decompressed_ratio
        self._chain: list[zlib._Decompress] = []
        for encoding in encodings:
            if encoding in ("gzip", "x-gzip"):
                self._chain.append(zlib.decompressobj(16 + zlib.MAX_WBITS))
            elif encoding == "deflate":
                self._chain.append(zlib.decompressobj(zlib.MAX_WBITS | 32))  # zlib or gzip header
            elif encoding not in ("identity", ""):
                raise ValueError(encoding)
        self._chain.reverse()  # the last-applied encoding is undone first
        self.decoded = 0
        self.raw = 0
        self.parts: list[bytes] = []

    @property
    def encoded(self) -> bool:
        return bool(self._chain)

    def _check(self) -> None:
        if self.decoded > self._cap:
            if self._chain:
                raise _TooLarge(
                    f"decompression bomb guard: more than {self._cap} decoded bytes from {self.raw} on the wire"
                )
            raise _TooLarge(f"body exceeds the {self._cap} byte limit")
        if self._chain and self.decoded > _BOMB_FLOOR and self.decoded > self.raw * self._ratio:
            raise _TooLarge(
                f"decompression bomb guard: {self.decoded} decoded bytes from {self.raw} on the wire "
                f"(ratio above {self._ratio})"
            )

    def _inflate(self, stage: int, data: bytes) -> bytes:
        decoder = self._chain[stage]
        out = [decoder.decompress(data, self._cap + 1)]
        size = len(out[0])
        while decoder.unconsumed_tail:
            if size > self._cap:
                break
            piece = decoder.decompress(decoder.unconsumed_tail, self._cap + 1)
            out.append(piece)
            size += len(piece)
        return b"".join(out)

    def feed(self, chunk: bytes) -> None:
        self.raw += len(chunk)
        if self.raw > self._cap:
            raise _TooLarge(f"body exceeds the {self._cap} byte limit")
        data = chunk
        for stage in range(len(self._chain)):
            data = self._inflate(stage, data)
            if len(data) > self._cap:
                self.decoded += len(data)
                self._check()
        self.decoded += len(data)
        self._check()
        self.parts.append(data)

    def finish(self) -> tuple[bytes, bool]:
        """(body, complete): complete is False when a compressed stream stopped early."""
        complete = True
        for stage, decoder in enumerate(self._chain):
            tail = decoder.flush()
            if tail:
                for later in self._chain[stage + 1 :]:
                    tail = later.decompress(tail, self._cap + 1)
                self.decoded += len(tail)
                self._check()
                self.parts.append(tail)
            if not decoder.eof:
                complete = False
        return b"".join(self.parts), complete


async def _drain(response: _Response) -> None:
    """Read and drop a small unread body so the connection can be reused; never fails.

    A body that is large, slow or broken is left alone: closing the response then closes the
    connection, as before. Nothing read here changes the outcome of the request.
    """
    length = response.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > _DRAIN_BYTES):
        return
    try:
        async with asyncio.timeout(_DRAIN_SECONDS):
            read = 0
            async for chunk in response.aiter_raw():
                read += len(chunk)
                if read > _DRAIN_BYTES:
                    return
    except (TimeoutError, httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError, OSError):
        return


def _scheme_refusal(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"refused: unparseable URL {url!r}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"refused: scheme {parts.scheme or '(none)'!r} is not http(s)"
    if not parts.hostname:
        return "refused: URL without a host"
    return None


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


# Socket errors that say no server could be reached (rather than that one misbehaved).
_NO_ROUTE = frozenset({errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN})


def _describe_connect_error(exc: BaseException) -> tuple[FetchStatus, str]:
    chain = _causes(exc)
    text = str(exc) or type(exc).__name__
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return FetchStatus.HARD, f"TLS error: {text}"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return FetchStatus.HARD, "connection refused"
    return FetchStatus.TEMPORARY, f"connect error: {text}"


async def _read_body(response: _Response, settings: HttpSettings) -> tuple[FetchStatus, bytes, str | None, int]:
    """(status, body, error, wire bytes) for a 2xx response, streaming under the caps."""
    encodings = [
        part.strip().lower() for part in response.headers.get("content-encoding", "").split(",") if part.strip()
    ]
    try:
        decoder = _Decoder(encodings, settings)
    except ValueError as exc:
        return FetchStatus.SOFT, b"", f"unsupported content-encoding: {exc}", 0
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > settings.max_body_bytes:
        return (
            FetchStatus.SOFT,
            b"",
            f"body too large: Content-Length {length} exceeds {settings.max_body_bytes}",
            0,
        )
    try:
        async for chunk in response.aiter_raw():
            decoder.feed(chunk)
        body, complete = decoder.finish()
    except _TooLarge as exc:
        return FetchStatus.SOFT, b"", str(exc), decoder.raw
    except zlib.error as exc:
        return FetchStatus.SOFT, b"", f"corrupt {'/'.join(encodings)} body: {exc}", decoder.raw
    if not complete:
        return FetchStatus.TEMPORARY, b"", "truncated body: compressed stream ended early", decoder.raw
    return FetchStatus.OK, body, None, decoder.raw


async def fetch_url(
    client: HttpClient,
    url: str,
    settings: HttpSettings,
    *,
    headers: Mapping[str, str] | None = None,
    max_body_bytes: int | None = None,
) -> Download:
    """GET ``url`` within every bound of ``settings``; never raises for network or HTTP trouble."""
    if max_body_bytes is not None and max_body_bytes != settings.max_body_bytes:
        from dataclasses import replace

        settings = replace(settings, max_body_bytes=max_body_bytes)
    started = time.monotonic()
    result = Download(FetchStatus.TEMPORARY, url, url)
    moved_to = None
    try:
        async with asyncio.timeout(settings.total_timeout_s):
            moved_to = await _follow(client, result, settings, headers)
    except _FAILURES as exc:
        result.status, result.error, result.unreachable = _failure(
            exc, settings, answered=result.http_status is not None
        )
    result.duration_ms = int((time.monotonic() - started) * 1000)
    if result.status in (FetchStatus.OK, FetchStatus.NOT_MODIFIED):
        result.moved_to = moved_to  # only a location that answered counts as the new one
    if result.error:
        result.error = result.error[:500]
    return result


async def _follow(
    client: HttpClient, result: Download, settings: HttpSettings, headers: Mapping[str, str] | None
) -> str | None:
    """GET ``result.url`` and the redirects from it, filling in ``result`` from the last answer.

    Returns where the URL moved for good: the target of the last permanent redirect (301/308) in
    an unbroken run of them from the requested URL.
    """
    current = result.url
    seen = {current}
    permanent = True  # every hop so far was a permanent redirect
    moved_to = None
    for hop in range(settings.max_redirects + 1):
        result.final_url = current
        refusal = _scheme_refusal(current)
        if refusal:
            result.status, result.error = FetchStatus.BLOCKED, refusal
            break
        response = await client.get(current, headers)
        try:
            result.http_status = response.status_code
            result.headers = response.headers
            target = _redirect_target(response, current)
            if target is None:
                await _take_answer(response, result, settings)
                break
            refusal = _redirect_refusal(target, seen, hop, settings)
            if refusal:
                result.status, result.error = FetchStatus.HARD, refusal
                break
            seen.add(target)
            permanent = permanent and response.status_code in PERMANENT_REDIRECTS
            if permanent:
                moved_to = target
            current = target
            await _drain(response)
        finally:
            await response.aclose()
    return moved_to


def _redirect_target(response: _Response, current: str) -> str | None:
    """The absolute URL a redirect points to; None for any other answer (or a redirect without
    a Location, which is then the answer)."""
    location = response.headers.get("location")
    if response.status_code in REDIRECTS and location:
        return urljoin(current, location.strip())
    return None


def _redirect_refusal(target: str, seen: set[str], hop: int, settings: HttpSettings) -> str | None:
    """Why a redirect is not followed (a loop, or one hop too many), or None."""
    if target in seen:
        return f"redirect loop at {target}"
    if hop == settings.max_redirects:
        return f"too many redirects (more than {settings.max_redirects})"
    return None


async def _take_answer(response: _Response, result: Download, settings: HttpSettings) -> None:
    """Fill in ``result`` from a response that is not followed: its status, Retry-After, and the
    body of a 2xx (read under the caps) or the reason of anything else."""
    code = response.status_code
    result.status = status_for_http(code)
    result.retry_after_s = parse_retry_after(
        response.headers.get("retry-after"), server_date=response.headers.get("date")
    )
    if result.status is FetchStatus.OK:
        result.status, result.body, result.error, result.wire_bytes = await _read_body(response, settings)
        return
    if code in REDIRECTS or 300 <= code < 400 and code != 304:
        result.error = f"HTTP {code} without a usable Location"
    elif result.status is not FetchStatus.NOT_MODIFIED:
        result.error = f"HTTP {code} {response.reason_phrase}".strip()
    await _drain(response)


# What fetch_url turns into a status (anything else is a bug and propagates).
_FAILURES = (
    TimeoutError,
    UnsafeURLError,
    ResolveError,
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    httpx.InvalidURL,
    OSError,
)


def _failure(exc: BaseException, settings: HttpSettings, *, answered: bool) -> tuple[FetchStatus, str, bool]:
    """(status, reason, unreachable) for an exception of ``_FAILURES``; checked in this order, the
    specific before the general. ``answered``: a response had arrived (then no failure says the
    server was unreachable, except a socket error's own errno)."""
    if isinstance(exc, TimeoutError):  # before OSError, of which it is a subclass
        return FetchStatus.TEMPORARY, f"total timeout: no complete response within {settings.total_timeout_s:g}s", False
    if isinstance(exc, UnsafeURLError):
        return FetchStatus.BLOCKED, str(exc), False
    if isinstance(exc, ResolveError):
        return (FetchStatus.HARD if exc.permanent else FetchStatus.TEMPORARY), str(exc), not answered
    if isinstance(exc, httpcore.ConnectTimeout):
        return FetchStatus.TEMPORARY, f"connect timeout after {settings.connect_timeout_s:g}s", not answered
    if isinstance(exc, httpcore.ReadTimeout):
        return FetchStatus.TEMPORARY, f"read timeout after {settings.read_timeout_s:g}s", False
    if isinstance(exc, httpcore.TimeoutException):
        return FetchStatus.TEMPORARY, f"timeout: {type(exc).__name__}", False
    if isinstance(exc, httpcore.ConnectError):
        status, error = _describe_connect_error(exc)
        # a TLS error means a server answered
        return status, error, not answered and not error.startswith("TLS error")
    if isinstance(exc, httpcore.RemoteProtocolError):
        text = str(exc)
        reason = "truncated body" if "incomplete" in text or "complete message body" in text else "protocol error"
        return FetchStatus.TEMPORARY, f"{reason}: {text}", False
    if isinstance(exc, (httpcore.ReadError, httpcore.WriteError)):
        return FetchStatus.TEMPORARY, f"connection reset: {exc or type(exc).__name__}", False
    if isinstance(exc, (httpcore.UnsupportedProtocol, httpx.InvalidURL)):
        return FetchStatus.BLOCKED, f"refused: {exc}", False
    if isinstance(exc, (httpcore.NetworkError, httpcore.ProtocolError)):
        return FetchStatus.TEMPORARY, f"{type(exc).__name__}: {exc}", False
    assert isinstance(exc, OSError)  # sockets surface some failures unwrapped
    return FetchStatus.TEMPORARY, f"network error: {exc}", exc.errno in _NO_ROUTE
