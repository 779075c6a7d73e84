"""Every way a feed server can misbehave, against a real socket server and the real database.

Each case polls a good feed and a faulty one together through poll_feeds, then checks the
faulty feed's fetch-log row and state (status, reason, backoff) and that the good feed's
entries were stored all the same.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from newsdesk.config import HttpSettings, PollSettings, Settings
from newsdesk.fetch import Fetcher
from newsdesk.models import Feed, FeedState
from newsdesk.pipeline.polling import poll_feeds
from newsdesk.store.feeds import due_feeds, sync_feeds

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
_spec = importlib.util.spec_from_file_location("fault_server", FEEDS / "fault_server.py")
assert _spec is not None and _spec.loader is not None
fs = importlib.util.module_from_spec(_spec)
sys.modules["fault_server"] = fs
_spec.loader.exec_module(fs)

RSS = (FEEDS / "rss20.xml").read_bytes()
RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}
# An hour ahead: feeds inserted during a long test session (next_poll_at = now()) are still due.
NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
MAX_BODY = 200_000


@pytest.fixture(scope="module")
def server():
    with fs.FaultServer() as srv:
        srv.route("/good", fs.respond(200, RSS, RSS_TYPE))
        yield srv


def make_settings(server) -> Settings:
    http = HttpSettings(
        allow_private=(server.host_port,),
        connect_timeout_s=2.0,
        read_timeout_s=0.5,
        total_timeout_s=2.0,
        max_body_bytes=MAX_BODY,
        max_redirects=3,
        per_host_delay_s=0.0,
        per_host_concurrency=8,
    )
    return Settings(http=http, poll=PollSettings(min_interval_s=300, default_interval_s=900, disable_after_failures=3))


def poll_once(conn, server, urls: list[str], now: datetime = NOW):
    settings = make_settings(server)
    states = [s for s in due_feeds(conn, now) if s.url in urls]
    with Fetcher(settings.http) as fetcher:
        return poll_feeds(conn, fetcher, states, settings, now=now)


def last_fetch(conn, url: str) -> dict:
    return conn.execute(
        """SELECT f.status, f.http_status, f.error, f.retry_after_s, f.entries_new, f.parse_problem,
                  d.enabled, d.disabled_reason, d.consecutive_failures, d.consecutive_hard_failures,
                  d.next_poll_at, d.last_body_hash, d.http_etag
             FROM feed_fetches f JOIN feeds d USING (feed_id)
            WHERE d.url = %s ORDER BY f.fetch_id DESC LIMIT 1""",
        (url,),
    ).fetchone()


@pytest.fixture
def conn(clean_db):
    with psycopg.connect(clean_db, row_factory=psycopg.rows.dict_row) as connection:
        yield connection


def setup_feeds(conn, server, bad_url: str) -> str:
    good = server.url("/good")
    sync_feeds(conn, [Feed(good, "good"), Feed(bad_url, "bad")])
    conn.commit()
    return good


CASES = [
    # name, handler, expected status, error fragment, http status
    ("timeout", fs.silent(3.0), "temporary", "read timeout", None),
    ("slow-drip", fs.slow_drip(6.0, 0.2), "temporary", "total timeout", 200),
    ("http-500", fs.respond(500, b"oops"), "temporary", "HTTP 500", 500),
    ("http-429", fs.respond(429, b"slow down"), "temporary", "HTTP 429", 429),
    ("http-404", fs.respond(404, b"gone?"), "hard", "HTTP 404", 404),
    (
        "oversized",
        fs.respond(200, b"<rss>" + b" " * (MAX_BODY + 10), RSS_TYPE),
        "soft",
        "body too large",
        200,
    ),
    ("oversized-stream", fs.streamed(100, b" " * 10_000), "soft", "exceeds the 200000 byte limit", 200),
    ("gzip-bomb", fs.gzip_bomb(30_000_000), "soft", "decompression bomb", 200),
    ("truncated", fs.truncated(RSS[:500], len(RSS), RSS_TYPE), "temporary", "truncated body", 200),
    ("reset", fs.reset(), "temporary", "", None),
    (
        "html",
        fs.respond(200, (FEEDS / "page.html").read_bytes(), {"Content-Type": "text/html"}),
        "soft",
        "HTML page",
        200,
    ),
    ("empty", fs.respond(200, b"", RSS_TYPE), "soft", "empty body", 200),
    (
        "binary",
        fs.respond(200, (FEEDS / "binary.png").read_bytes(), {"Content-Type": "image/png"}),
        "soft",
        "binary",
        200,
    ),
]


@pytest.mark.parametrize(("name", "handler", "status", "fragment", "http_status"), CASES, ids=[c[0] for c in CASES])
def test_fault_is_recorded_and_nothing_else_is_lost(conn, server, name, handler, status, fragment, http_status):
    bad = server.route(f"/{name}", handler)
    good = setup_feeds(conn, server, bad)
    summary = poll_once(conn, server, [good, bad])
    assert (summary.feeds, summary.ok, summary.errors, summary.new_entries) == (2, 1, 1, 3)
    row = last_fetch(conn, bad)
    assert row["status"] == status
    assert fragment in (row["error"] or "")
    assert row["http_status"] == http_status
    assert row["entries_new"] == 0
    # retried later, with backoff, still enabled
    assert row["enabled"] and row["consecutive_failures"] == 1
    assert row["next_poll_at"] >= NOW + timedelta(seconds=900)
    assert row["last_body_hash"] is None
    assert bad not in [s.url for s in due_feeds(conn, NOW + timedelta(seconds=60))]
    assert bad in [s.url for s in due_feeds(conn, NOW + timedelta(days=2))]
    # the good feed's entries are all there
    assert last_fetch(conn, good)["status"] == "ok"
    assert conn.execute("SELECT count(*) AS n FROM feed_entries").fetchone()["n"] == 3
    assert conn.execute("SELECT count(*) AS n FROM pages WHERE status = 'pending'").fetchone()["n"] == 3


def test_503_with_retry_after_seconds_and_http_date(conn, server):
    seconds = server.route("/503-seconds", fs.respond(503, b"", {"Retry-After": "7200"}))
    date = server.route(
        "/503-date",
        fs.respond(
            503,
            b"",
            {"Retry-After": "Wed, 21 Oct 2015 09:28:00 GMT", "Date": "Wed, 21 Oct 2015 07:28:00 GMT"},
        ),
    )
    good = setup_feeds(conn, server, seconds)
    sync_feeds(conn, [Feed(good, "good"), Feed(seconds, "s"), Feed(date, "d")])
    conn.commit()
    poll_once(conn, server, [good, seconds, date])
    for url in (seconds, date):
        row = last_fetch(conn, url)
        assert (row["status"], row["http_status"], row["retry_after_s"]) == ("temporary", 503, 7200)
        assert row["next_poll_at"] == NOW + timedelta(seconds=7200)  # not the 900 s backoff


def test_410_disables_at_once_and_404_after_n_hard_failures(conn, server):
    gone = server.route("/410", fs.respond(410, b""))
    missing = server.route("/404-repeat", fs.respond(404, b""))
    good = setup_feeds(conn, server, gone)
    sync_feeds(conn, [Feed(good, "good"), Feed(gone, "gone"), Feed(missing, "missing")])
    conn.commit()
    poll_once(conn, server, [gone, missing])
    row = last_fetch(conn, gone)
    assert row["status"] == "hard" and not row["enabled"] and "410" in row["disabled_reason"]
    now = NOW
    for attempt in range(1, 4):
        row = last_fetch(conn, missing)
        assert row["consecutive_hard_failures"] == attempt
        now = row["next_poll_at"]
        if attempt < 3:
            assert row["enabled"]
            poll_once(conn, server, [missing], now=now)
    row = last_fetch(conn, missing)
    assert not row["enabled"] and "3 consecutive hard failures" in row["disabled_reason"]
    assert missing not in [s.url for s in due_feeds(conn, now + timedelta(days=30))]
    assert len(server.hits("/404-repeat")) == 3


def test_redirect_loop_and_too_many_redirects(conn, server):
    server.route("/loop-a", fs.redirect("/loop-b"))
    server.route("/loop-b", fs.redirect(server.url("/loop-a"), 301))
    for i in range(6):
        server.route(f"/hop{i}", fs.redirect(f"/hop{i + 1}"))
    loop, chain = server.url("/loop-a"), server.url("/hop0")
    good = setup_feeds(conn, server, loop)
    sync_feeds(conn, [Feed(good, "good"), Feed(loop, "loop"), Feed(chain, "chain")])
    conn.commit()
    poll_once(conn, server, [good, loop, chain])
    assert last_fetch(conn, loop)["status"] == "hard" and "redirect loop" in last_fetch(conn, loop)["error"]
    assert last_fetch(conn, chain)["status"] == "hard" and "too many redirects" in last_fetch(conn, chain)["error"]
    assert len(server.hits("/hop3")) == 1 and server.hits("/hop4") == []  # max_redirects = 3


def test_redirects_to_private_targets_are_refused_without_connecting(conn, server):
    other_port = fs.FaultServer()  # listening on 127.0.0.1 too, but not on the allow list
    with other_port:
        other_port.route("/feed", fs.respond(200, RSS, RSS_TYPE))
        targets = {
            "/to-private": "http://10.0.0.1/feed",
            "/to-metadata": "http://169.254.169.254/latest/meta-data/",
            "/to-metadata-v6": "http://[fd00:ec2::254]/latest/",
            "/to-other-port": other_port.url("/feed"),
            "/to-file": "file:///etc/passwd",
        }
        urls = [server.route(path, fs.redirect(target)) for path, target in targets.items()]
        good = setup_feeds(conn, server, urls[0])
        sync_feeds(conn, [Feed(good, "good")] + [Feed(u, u) for u in urls])
        conn.commit()
        summary = poll_once(conn, server, [good, *urls])
        assert summary.errors == len(urls) and summary.new_entries == 3
        reasons = {path: last_fetch(conn, url) for path, url in zip(targets, urls, strict=True)}
        for path, row in reasons.items():
            assert row["status"] == "blocked", path
            assert row["error"].startswith("refused"), path
        assert "private" in reasons["/to-private"]["error"]
        assert "metadata" in reasons["/to-metadata"]["error"]
        assert "metadata" in reasons["/to-metadata-v6"]["error"]
        assert "loopback" in reasons["/to-other-port"]["error"]
        assert "scheme 'file'" in reasons["/to-file"]["error"]
        assert other_port.requests == []  # the refused hop never reached the other server


def test_connection_refused_is_hard(conn, server):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens on this port now
    url = f"http://127.0.0.1:{port}/feed"
    good = setup_feeds(conn, server, url)
    base = make_settings(server)
    settings = replace(base, http=replace(base.http, allow_private=(server.host_port, f"127.0.0.1:{port}")))
    with Fetcher(settings.http) as fetcher:
        poll_feeds(conn, fetcher, due_feeds(conn, NOW), settings, now=NOW)
    row = last_fetch(conn, url)
    assert row["status"] == "hard" and "refused" in row["error"]
    assert last_fetch(conn, good)["status"] == "ok"


def test_wrong_charset_header_still_stores_correct_text(conn, server):
    url = server.route(
        "/charset",
        fs.respond(200, (FEEDS / "wrong_charset.xml").read_bytes(), {"Content-Type": "text/xml; charset=ISO-8859-1"}),
    )
    setup_feeds(conn, server, url)
    poll_once(conn, server, [url])
    row = last_fetch(conn, url)
    assert row["status"] == "ok" and "contradicted" in row["parse_problem"]
    title = conn.execute("SELECT title FROM feed_entries WHERE entry_guid = 'c1'").fetchone()["title"]
    assert title == "Één café in Zoë’s straat"


def count_rows(conn) -> tuple[int, int, int]:
    return tuple(
        conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()["n"]
        for table in ("pages", "feed_entries", "feed_fetches")
    )


def test_lying_etag_is_unchanged_by_hash(conn, server):
    url = server.route("/lying", fs.lying_etag(RSS))
    setup_feeds(conn, server, url)
    poll_once(conn, server, [url])
    first = last_fetch(conn, url)
    assert first["status"] == "ok" and first["http_etag"] == '"v1"'
    before = count_rows(conn)
    summary = poll_once(conn, server, [url], now=first["next_poll_at"])
    second = last_fetch(conn, url)
    assert summary.unchanged == 1 and summary.new_entries == 0
    assert second["status"] == "unchanged" and second["http_etag"] == '"v2"'
    assert server.hits("/lying")[-1].headers["if-none-match"] == '"v1"'
    after = count_rows(conn)
    assert after[:2] == before[:2] and after[2] == before[2] + 1  # only the fetch log grew


def test_conditional_get_304(conn, server):
    url = server.route("/etag", fs.conditional(RSS, '"abc"', RSS_TYPE))
    setup_feeds(conn, server, url)
    poll_once(conn, server, [url])
    first = last_fetch(conn, url)
    summary = poll_once(conn, server, [url], now=first["next_poll_at"])
    second = last_fetch(conn, url)
    assert summary.not_modified == 1
    assert (second["status"], second["http_status"], second["http_etag"]) == ("not_modified", 304, '"abc"')
    assert second["last_body_hash"] == first["last_body_hash"]


# --- article pages: robots.txt and the same bounds ----------------------------------------------


def page_settings(*servers) -> HttpSettings:
    return HttpSettings(
        allow_private=tuple(s.host_port for s in servers),
        per_host_delay_s=0.0,
        read_timeout_s=0.5,
        total_timeout_s=2.0,
    )


HTML = "<html><head><meta charset='utf-8'><title>Één</title></head><body>café</body></html>".encode()


def test_pages_respect_robots_txt_fetched_once_per_host():
    with fs.FaultServer() as site:
        site.route(
            "/robots.txt",
            fs.respond(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}),
        )
        site.route("/a", fs.respond(200, HTML, {"Content-Type": "text/html; charset=ISO-8859-1"}))
        site.route("/b", fs.respond(200, HTML, {"Content-Type": "text/html"}))
        site.route("/private/c", fs.respond(200, HTML))
        with Fetcher(page_settings(site)) as fetcher:
            results = {r.url: r for r in fetcher.fetch_pages([site.url("/a"), site.url("/b"), site.url("/private/c")])}
        a, b, c = (results[site.url(p)] for p in ("/a", "/b", "/private/c"))
        assert (a.status, a.http_status, a.body, a.charset) == ("ok", 200, HTML, "utf-8")
        assert b.status == "ok" and b.final_url == site.url("/b")
        assert c.status == "blocked" and c.error == "disallowed by robots.txt"
        assert len(site.hits("/robots.txt")) == 1 and site.hits("/private/c") == []


def test_robots_404_allows_and_robots_503_defers():
    with fs.FaultServer() as open_site, fs.FaultServer() as down_site:
        open_site.route("/a", fs.respond(200, HTML))  # /robots.txt: the server's default 404
        down_site.route("/robots.txt", fs.respond(503, b""))
        down_site.route("/a", fs.respond(200, HTML))
        with Fetcher(page_settings(open_site, down_site)) as fetcher:
            results = {r.url: r for r in fetcher.fetch_pages([open_site.url("/a"), down_site.url("/a")])}
        assert results[open_site.url("/a")].status == "ok"
        deferred = results[down_site.url("/a")]
        assert deferred.status == "temporary" and "robots.txt unavailable" in deferred.error
        assert deferred.retry_after_s and deferred.retry_after_s > 0
        assert down_site.hits("/a") == []


def test_page_faults_are_results_not_exceptions():
    with fs.FaultServer() as site:
        site.route("/robots.txt", fs.respond(200, b""))
        site.route("/to-private", fs.redirect("http://192.168.1.1/admin"))
        site.route("/gone", fs.respond(410, b""))
        site.route("/reset", fs.reset())
        urls = [site.url(p) for p in ("/to-private", "/gone", "/reset")] + ["ftp://example.org/x"]
        with Fetcher(page_settings(site)) as fetcher:
            results = {r.url: r for r in fetcher.fetch_pages(urls)}
        assert results[urls[0]].status == "blocked" and "private" in results[urls[0]].error
        assert results[urls[1]].status == "hard" and results[urls[1]].http_status == 410
        assert results[urls[2]].status == "temporary"
        assert results[urls[3]].status == "blocked" and "scheme" in results[urls[3]].error


# --- keep-alive: a conditional GET reuses the connection -----------------------------------------


class KeepAliveServer:
    """Answers every request on a connection until the client closes it; counts connections."""

    def __init__(self, answers: dict[str, bytes]) -> None:
        import socket
        import threading

        self.answers = answers
        self.connections = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import threading

        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn) -> None:
        data = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in data:
                    piece = conn.recv(65536)
                    if not piece:
                        return
                    data += piece
                head, data = data.split(b"\r\n\r\n", 1)
                path = head.split(b" ", 2)[1].decode()
                conn.sendall(self.answers[path])

    def close(self) -> None:
        self._sock.close()


def test_304_and_error_answers_keep_the_connection_alive():
    not_modified = b'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\nContent-Length: 0\r\n\r\n'
    missing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"
    server = KeepAliveServer({"/a": not_modified, "/b": missing})
    try:
        http = HttpSettings(
            allow_private=(f"127.0.0.1:{server.port}",),
            concurrency=1,
            per_host_concurrency=1,
            per_host_delay_s=0.0,
            read_timeout_s=2.0,
        )
        states = [
            FeedState(i, f"http://127.0.0.1:{server.port}/{p}", '"x"', None, None, 0, 900, NOW)
            for i, p in enumerate("abab")
        ]
        with Fetcher(http) as fetcher:
            got = sorted((d.feed_id, d.status.value, d.http_status) for d in fetcher.fetch_feeds(states, now=NOW))
        assert got == [(0, "not_modified", 304), (1, "hard", 404), (2, "not_modified", 304), (3, "hard", 404)]
        assert server.connections == 1
    finally:
        server.close()


def test_a_full_pool_closes_an_idle_connection_for_another_host():
    not_modified = b'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\nContent-Length: 0\r\n\r\n'
    one, two = KeepAliveServer({"/f": not_modified}), KeepAliveServer({"/f": not_modified})
    try:
        http = HttpSettings(
            allow_private=(f"127.0.0.1:{one.port}", f"127.0.0.1:{two.port}"),
            concurrency=1,  # a pool of one connection
            per_host_concurrency=1,
            per_host_delay_s=0.0,
            read_timeout_s=2.0,
        )
        ports = [one.port, two.port, one.port, two.port]
        states = [FeedState(i, f"http://127.0.0.1:{p}/f", '"x"', None, None, 0, 900, NOW) for i, p in enumerate(ports)]
        with Fetcher(http) as fetcher:
            got = {d.status.value for d in fetcher.fetch_feeds(states, now=NOW)}
        assert got == {"not_modified"}
        assert (one.connections, two.connections) == (2, 2)
    finally:
        one.close()
        two.close()


# --- TLS through the asyncio network backend -------------------------------------------------------


def _self_signed(tmp_path):
    x509 = pytest.importorskip("cryptography.x509")
    import datetime as dt
    import ipaddress

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_tls_is_verified_and_kept_alive(tmp_path):
    import asyncio
    import http.server
    import ssl
    import threading

    from newsdesk.fetch.download import HttpClient, fetch_url
    from newsdesk.fetch.fetcher import _POOL
    from newsdesk.fetch.guard import AddressPolicy, GuardedBackend

    cert_file, key_file = _self_signed(tmp_path)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - the standard library's name
            if self.headers.get("If-None-Match") == '"t"':
                self.send_response(304)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", '"t"')
            self.send_header("Content-Length", str(len(RSS)))
            self.end_headers()
            self.wfile.write(RSS)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"https://127.0.0.1:{server.server_address[1]}/feed"
    http = HttpSettings(allow_private=(f"127.0.0.1:{server.server_address[1]}",), per_host_delay_s=0.0)
    try:
        # the system trust store does not know this certificate: refused, as a hard failure
        with Fetcher(http) as fetcher:
            (refused,) = fetcher.fetch_feeds([FeedState(1, url, None, None, None, 0, 900, NOW)], now=NOW)
        assert refused.status.value == "hard" and "certificate verify failed" in refused.error

        async def trusted():
            pool = _POOL(
                ssl_context=ssl.create_default_context(cafile=str(cert_file)),
                network_backend=GuardedBackend(AddressPolicy(http.allow_private)),
            )
            client = HttpClient(pool, http, {"User-Agent": "test"})
            try:
                got = [await fetch_url(client, url, http, headers=h) for h in ({}, {"If-None-Match": '"t"'})]
                return got, len(pool.connections)
            finally:
                await client.aclose()

        (first, second), connections = asyncio.run(trusted())
        assert (first.status.value, first.body) == ("ok", RSS)
        assert (second.status.value, second.http_status) == ("not_modified", 304)
        assert connections == 1
    finally:
        server.shutdown()


def test_a_permanent_redirect_is_recorded_and_reported(conn, server):
    from newsdesk.store.health import write_health_report

    server.route("/moved", fs.redirect("/moved-again", 301))
    server.route("/moved-again", fs.redirect("/moved-feed", 308))
    server.route("/moved-feed", fs.respond(200, RSS, RSS_TYPE))
    server.route("/first-moved", fs.redirect("/then-temporary", 301))
    server.route("/then-temporary", fs.redirect("/good"))  # 302: the move ends where it began
    server.route("/temporary", fs.redirect("/good", 307))
    server.route("/moved-nowhere", fs.redirect("/gone", 301))
    server.route("/gone", fs.respond(404, b"gone"))
    urls = [server.url(p) for p in ("/moved", "/first-moved", "/temporary", "/moved-nowhere")]
    good = setup_feeds(conn, server, urls[0])
    sync_feeds(conn, [Feed(good, "good"), *(Feed(u, u.rsplit("/", 1)[1]) for u in urls)])
    conn.commit()
    poll_once(conn, server, [good, *urls])

    def moved(url: str) -> tuple:
        return conn.execute(
            """SELECT f.status, f.moved_to AS logged, d.moved_to AS current
                 FROM feed_fetches f JOIN feeds d USING (feed_id)
                WHERE d.url = %s ORDER BY f.fetch_id DESC LIMIT 1""",
            (url,),
        ).fetchone()

    assert tuple(moved(urls[0]).values()) == ("ok", server.url("/moved-feed"), server.url("/moved-feed"))
    assert tuple(moved(urls[1]).values()) == ("ok", server.url("/then-temporary"), server.url("/then-temporary"))
    assert tuple(moved(urls[2]).values()) == ("ok", None, None)
    # a target that does not answer is no new home
    assert tuple(moved(urls[3]).values()) == ("hard", None, None)
    stored = conn.execute(
        "SELECT count(*) AS n FROM feed_entries JOIN feeds USING (feed_id) WHERE feeds.url = %s", (urls[0],)
    ).fetchone()
    assert stored["n"] > 0  # the feed is read at its new home meanwhile

    report = {r.name: r.detail for r in write_health_report(conn, NOW.date())}
    assert report["moved"].startswith(f"moved permanently to {server.url('/moved-feed')} (update the feed file)")
    assert "moved permanently" not in report["temporary"]
