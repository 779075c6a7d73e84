"""SSRF address policy, Retry-After parsing, status mapping, charset choice, bounded decoding."""

from __future__ import annotations

import gzip
import ipaddress
import zlib
from datetime import UTC, datetime

import pytest

from newsdesk.config import HttpSettings
from newsdesk.fetch.charset import detect_charset
from newsdesk.fetch.download import _Decoder, _TooLarge, parse_retry_after, status_for_http
from newsdesk.fetch.guard import AddressPolicy, address_kind
from newsdesk.models import FetchStatus

ip = ipaddress.ip_address


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.0.1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "reserved"),
        ("240.0.0.1", "reserved"),
        ("::ffff:10.0.0.1", "private"),
        ("fc00::1", "private"),
        # IPv6 forms that stand for an IPv4 address are judged by it
        ("2002:a9fe:a9fe::1", "cloud metadata"),  # 6to4 of 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:0a00:0001::1", "private"),  # 6to4 of 10.0.0.1
        ("2002:5db8:d822::1", None),  # 6to4 of a public address
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),  # NAT64 well-known prefix
        ("64:ff9b::c0a8:1", "private"),
        ("64:ff9b:1::a9fe:a9fe", "cloud metadata"),  # NAT64 local-use prefix
        ("::a9fe:a9fe", "cloud metadata"),  # IPv4-compatible
        ("::ffff:169.254.169.254", "cloud metadata"),
    ],
)
def test_address_kinds(address, kind):
    assert address_kind(ip(address)) == kind


def test_allow_list_entries():
    policy = AddressPolicy(["127.0.0.1:8080", "10.0.0.0/8", "feeds.intranet", "[::1]:9000"])
    assert policy.refusal("127.0.0.1", ip("127.0.0.1"), 8080) is None
    assert "loopback" in policy.refusal("127.0.0.1", ip("127.0.0.1"), 8081)
    assert policy.refusal("10.9.9.9", ip("10.9.9.9"), 443) is None
    assert policy.refusal("feeds.intranet", ip("192.168.1.5"), 80) is None
    assert "private" in policy.refusal("other.intranet", ip("192.168.1.5"), 80)
    assert policy.refusal("::1", ip("::1"), 9000) is None
    assert policy.refusal("example.org", ip("93.184.216.34"), 1234) is None
    assert "metadata" in AddressPolicy().refusal("meta", ip("169.254.169.254"), 80)
    assert "metadata" in AddressPolicy(["127.0.0.1"]).refusal("x", ip("169.254.169.254"), 80)


def test_an_allowed_name_is_checked_by_the_address_it_resolves_to():
    policy = AddressPolicy(["feeds.intranet", "127.0.0.1"])
    assert policy.refusal("feeds.intranet", ip("10.1.1.1"), 80) is None
    assert policy.refusal("feeds.intranet", ip("127.0.0.1"), 80) is None
    assert "metadata" in policy.refusal("feeds.intranet", ip("169.254.169.254"), 80)
    assert "metadata" in policy.refusal("feeds.intranet", ip("2002:a9fe:a9fe::1"), 80)
    assert "link-local" in policy.refusal("feeds.intranet", ip("169.254.1.1"), 80)
    assert "multicast" in policy.refusal("feeds.intranet", ip("224.0.0.1"), 80)
    # an address or CIDR entry is an explicit decision about that address
    assert AddressPolicy(["169.254.0.0/16"]).refusal("x", ip("169.254.1.1"), 80) is None
    # the 6to4 form of an allowed IPv4 address is not the allowed address
    assert "loopback" in policy.refusal("x", ip("2002:7f00:1::"), 80)


def test_retry_after():
    assert parse_retry_after("120") == 120
    assert parse_retry_after(" 0 ") == 0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", server_date="Wed, 21 Oct 2015 07:28:00 GMT") == 120
    now = datetime(2015, 10, 21, 7, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 21 Oct 2015 08:00:00 GMT", now=now) == 3600
    assert parse_retry_after("Wed, 21 Oct 2015 06:00:00 GMT", now=now) == 0


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (200, "ok"),
        (304, "not_modified"),
        (404, "hard"),
        (410, "hard"),
        (403, "hard"),
        (429, "temporary"),
        (500, "temporary"),
        (503, "temporary"),
        (408, "temporary"),
    ],
)
def test_status_mapping(code, status):
    assert status_for_http(code) == FetchStatus(status)


def test_charset_choice():
    text = "Één café".encode()
    assert detect_charset(text, "text/html; charset=utf-8") == ("utf-8", "header")
    assert detect_charset(text, "text/html; charset=ISO-8859-1")[0] == "utf-8"  # body wins, recorded
    latin = "café".encode("latin-1")
    assert detect_charset(latin, "text/html; charset=utf-8")[0] == "utf-8"  # falls through...
    declared = b'<?xml version="1.0" encoding="windows-1252"?><x>' + latin
    assert detect_charset(declared, "text/xml; charset=utf-8") == ("cp1252", "declaration")
    assert detect_charset(b'<meta charset="iso-8859-1">' + latin, None) == ("iso8859-1", "declaration")
    assert detect_charset(b"\xff\xfeh\x00", None) == ("utf-16", "bom")
    assert detect_charset(b"caf\xe9 \xfa\xfb", None) == ("utf-8", "utf-8-replace")


def test_decoder_caps_decoded_bytes():
    settings = HttpSettings(max_body_bytes=100_000)
    bomb = gzip.compress(b"\0" * 5_000_000)
    decoder = _Decoder(["gzip"], settings)
    with pytest.raises(_TooLarge, match="decompression bomb"):
        for start in range(0, len(bomb), 1024):
            decoder.feed(bomb[start : start + 1024])
    assert decoder.decoded <= 100_000 + 1 + 100_000  # stopped right after the cap, not at 5 MB
    fine = _Decoder(["deflate"], settings)
    fine.feed(zlib.compress(b"hello world"))
    assert fine.finish() == (b"hello world", True)
    cut = _Decoder(["gzip"], settings)
    cut.feed(gzip.compress(b"x" * 1000)[:20])
    assert cut.finish()[1] is False
    with pytest.raises(ValueError):
        _Decoder(["br"], settings)
