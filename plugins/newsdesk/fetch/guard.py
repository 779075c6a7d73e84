"""The SSRF guard: which addresses a download may connect to.

The check sits in the connection layer (an httpcore network backend): the host is resolved
once, every address is checked, and the socket is opened to a checked address, so a redirect
hop, a new keep-alive connection or a DNS answer that changes between check and connect
(rebinding) cannot reach a private target.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore

from newsdesk.errors import FetchError, UnsafeURLError
from newsdesk.fetch.network import AsyncioBackend

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata endpoints: named explicitly even where a wider rule already covers them.
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})


class ResolveError(FetchError):
    """A host name could not be resolved; ``permanent`` for "no such name"."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


# IPv6 prefixes that carry an IPv4 address in their last 32 bits: NAT64 (RFC 6052 well-known
# and RFC 8215 local-use) and the deprecated IPv4-compatible form. A gateway translates them to
# that IPv4 address, so they are judged by it (2002::/16, 6to4, and Teredo are read by ipaddress).
_EMBEDDING_V4 = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("::/96"),
)
# What a host-name entry of the allow list may open: the addresses of an intranet. Never the
# metadata, link-local, multicast or unspecified ones, whatever the name resolves to.
_NAME_OPENS = frozenset({"private", "loopback", "reserved"})


def embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for (mapped, 6to4, Teredo, NAT64, compatible)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if any(ip in net for net in _EMBEDDING_V4) and int(ip) & 0xFFFFFFFF > 1:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def address_kind(ip: IPAddress) -> str | None:
    """Why an address is off limits ("loopback", "private", ...), or None for a public one.

    An IPv6 address that embeds an IPv4 one (6to4 2002:a9fe:a9fe::, NAT64 64:ff9b::a9fe:a9fe,
    Teredo, IPv4-mapped or -compatible) is off limits when the embedded address is.
    """
    for inner in embedded_ipv4(ip):
        kind = _kind(inner)
        if kind is not None:
            return kind
    return _kind(ip)


def _kind(ip: IPAddress) -> str | None:
    if ip in METADATA_ADDRESSES:
        return "cloud metadata"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "reserved"
    return None


@dataclass(frozen=True, slots=True)
class _Rule:
    network: IPNetwork | None = None
    host: str | None = None
    port: int | None = None


def _split_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [v6]:port
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        if port.isdigit():
            return host, int(port)
    return entry, None


class AddressPolicy:
    """Public addresses are allowed; private ones only through ``HttpSettings.allow_private``.

    Entries: a CIDR or address (``10.0.0.0/8``, ``127.0.0.1``), optionally with a port
    (``127.0.0.1:8080``, ``[::1]:8080``), or a host name (``feeds.intranet``, optionally with a
    port). A port narrows the rule to that port, so a test can allow its own server without
    allowing the rest of the machine. A host name opens private, loopback and reserved addresses
    only: a name that resolves to the metadata or a link-local address is still refused (an
    address or CIDR entry is needed for those).
    """

    def __init__(self, allow_private: Iterable[str] = ()) -> None:
        rules: list[_Rule] = []
        for raw in allow_private:
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                rules.append(_Rule(network=ipaddress.ip_network(entry, strict=False)))
                continue
            except ValueError:
                pass
            host, port = _split_port(entry)
            try:
                rules.append(_Rule(network=ipaddress.ip_network(host, strict=False), port=port))
            except ValueError:
                rules.append(_Rule(host=host.rstrip("."), port=port))
        self._rules = tuple(rules)

    def refusal(self, host: str, ip: IPAddress, port: int) -> str | None:
        """None when (host, ip, port) may be reached, else the reason it may not."""
        kind = address_kind(ip)
        if kind is None:
            return None
        name = host.lower().rstrip(".")
        for rule in self._rules:
            if rule.port is not None and rule.port != port:
                continue
            if rule.network is not None and ip.version == rule.network.version and ip in rule.network:
                return None
            if rule.host is not None and rule.host == name and kind in _NAME_OPENS:
                return None  # the name's resolved address is checked too: see _NAME_OPENS
        shown = f"{host} ({ip})" if host != str(ip) else str(ip)
        return f"refused: {shown} port {port} is a {kind} address"


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _resolve_error(host: str, exc: socket.gaierror) -> ResolveError:
    permanent = exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))
    return ResolveError(f"cannot resolve {host}: {exc.strerror or exc}", permanent=permanent)


def _addresses(host: str, infos: Iterable[Any]) -> list[IPAddress]:
    found: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise ResolveError(f"cannot resolve {host}: no addresses", permanent=True)
    return found


def _check(policy: AddressPolicy, host: str, addresses: Iterable[IPAddress], port: int) -> None:
    # One refused address refuses the name: a public+private answer is an attack, not a fallback.
    for ip in addresses:
        reason = policy.refusal(host, ip, port)
        if reason:
            raise UnsafeURLError(reason)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check every address against the policy, then connect to a checked address."""

    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._policy = policy
        self._inner = inner or AsyncioBackend()

    async def _resolve(self, host: str, port: int) -> list[IPAddress]:
        literal = _literal(host)
        if literal is not None:
            return [literal]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise _resolve_error(host, exc) from exc
        return _addresses(host, infos)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port)
        _check(self._policy, host, addresses, port)
        last: Exception | None = None
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(ip), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeURLError("refused: unix sockets are never a download target")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class SyncGuardedBackend(httpcore.NetworkBackend):
    """``GuardedBackend`` for blocking clients (a long download read as a stream, such as a WARC file)."""

    def __init__(self, policy: AddressPolicy, inner: httpcore.NetworkBackend | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        literal = _literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = _addresses(host, socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            except socket.gaierror as exc:
                raise _resolve_error(host, exc) from exc
        _check(self._policy, host, addresses, port)
        last: Exception | None = None
        for ip in addresses:
            try:
                return self._inner.connect_tcp(
                    str(ip), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise UnsafeURLError("refused: unix sockets are never a download target")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
