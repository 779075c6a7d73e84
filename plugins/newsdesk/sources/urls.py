"""URL canonicalisation: one spelling per article, so the same story reached through two feeds
(or with different tracking parameters) ends up as one ``pages`` row."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the resource. Matched
# case-insensitively; names ending in "_" are prefixes.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "mkt_tok",
        "vero_id",
        "oly_enc_id",
        "oly_anon_id",
        "rb_clickid",
        "s_cid",
        "wt.mc_id",
        "xtor",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "__twitter_impression",
        "ocid",
        "cmpid",
        "sr_share",
        "spm",
        "ref_src",
        "smid",
    }
)
TRACKING_PREFIXES = ("utm_", "ns_", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PCT = re.compile(r"%[0-9a-fA-F]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalise_escapes(part: str) -> str:
    """Upper-case percent escapes and decode the ones that stand for unreserved characters."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(0)[1:], 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    return _PCT.sub(fix, part)


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        if segment == ".":
            if i == len(segments) - 1:
                out.append("")
            continue
        if segment == "..":
            if len(out) > 1:
                out.pop()
            if i == len(segments) - 1:
                out.append("")
            continue
        out.append(segment)
    return "/".join(out) or "/"


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if host.isascii():
        return host
    try:  # internationalised names: one spelling (punycode) for the same host
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _clean_query(query: str) -> str:
    params = []
    for item in query.split("&"):
        if not item:
            continue
        key = item.split("=", 1)[0]
        if _is_tracking(key):
            continue
        params.append((_normalise_escapes(key), _normalise_escapes(item)))
    params.sort(key=lambda pair: pair[0])
    return "&".join(item for _, item in params)


# A URL whose scheme, host and path are already canonical: lower-case http(s), a lower-case
# name without port, user or trailing dot, a path without escapes or dot segments. Most feed
# links are; only their query needs work. (A unit test holds this path to the general one.)
_SIMPLE = re.compile(r"(https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)*)(/[^?#%\s]*)?(?:\?([^#\s]*))?(?:#\S*)?")


def canonicalize_url(url: str, base: str | None = None) -> str:
    """The canonical spelling of an http(s) URL; other schemes come back stripped, unchanged.

    Tracking parameters are removed, scheme and host lower-cased, the default port and the
    fragment dropped, percent escapes normalised and the query sorted by key (stable, so
    repeated keys keep their order). The query is not re-encoded: ``+`` and ``%20`` stay as
    the publisher wrote them, because servers may treat them differently.
    """
    url = url.strip()
    if base:
        url = urljoin(base.strip(), url)
    else:
        simple = _SIMPLE.fullmatch(url)
        if simple is not None:
            scheme, host, path, query = simple.groups()
            if not path:
                path = "/"
            elif "/." in path:
                path = _remove_dot_segments(path)
            query = _clean_query(query) if query else ""
            return f"{scheme}://{host}{path}?{query}" if query else f"{scheme}://{host}{path}"
    return _canonicalize(url)


def _canonicalize(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = _host(parts.hostname)
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        host = f"{userinfo}@{host}"
    path = _remove_dot_segments(_normalise_escapes(parts.path)) or "/"
    query = _clean_query(parts.query)
    return urlunsplit((scheme, host, path, query, ""))
