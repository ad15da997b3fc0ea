"""Decides which addresses and URLs may be fetched: globally routable hosts only, unless allowed."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
ALLOWED_SCHEMES = ("http", "https")
# getaddrinfo's answers that the name does not exist (or has no address), as opposed to "no
# answer" (EAI_AGAIN): the DNS was reached and said so.
_NO_SUCH_NAME = tuple(
    code for code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)) if code is not None
)

# IPv6 ranges that carry an IPv4 address or tunnel to one, or that were never public web hosts,
# refused even where Python's `is_global` lets them through: IPv4-translated (::ffff:0:0:0/96,
# written ::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16), Teredo
# (2001::/32) and the deprecated site-local fec0::/10. An operator may open one of them with
# `allowed_networks` (e.g. the NAT64 prefix of an IPv6-only runner); the IPv4 address inside
# is still checked.
_TRANSLATED = {
    ipaddress.IPv6Network(net): kind
    for net, kind in (
        ("::ffff:0:0:0/96", "an IPv4-translated address"),
        ("64:ff9b::/96", "a NAT64 address"),
        ("64:ff9b:1::/48", "a NAT64 address"),
        ("2002::/16", "a 6to4 address"),
        ("2001::/32", "a Teredo address"),
        ("fec0::/10", "a site-local address"),
    )
}
# Globally routable addresses that are services of the cloud the review may run in, refused
# unless an operator lists them: Azure's WireServer answers any process inside a VM (GitHub-
# hosted runners included, on port 80) with the VM's configuration and certificates.
_HOST_SERVICES = {
    ipaddress.IPv4Address("168.63.129.16"): "Azure's WireServer, a service of the cloud host",
}


class UnresolvedHost(Exception):
    """The host name did not resolve for now (no answer from the DNS): usually transient."""

    def __init__(self, host: str, message: str) -> None:
        super().__init__(message)
        self.host = host


class NoSuchHost(UnresolvedHost):
    """The DNS answered that the name does not exist (NXDOMAIN, EAI_NONAME) or has no address.

    A typo in the link, unless no name resolves at all: then the machine has no network (many
    resolvers answer EAI_NONAME when they cannot reach a DNS server)."""


class BlockedAddress(Exception):
    """A connection was refused because the host resolves to an address the policy forbids."""


def unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address behind an IPv4-mapped (`::ffff:127.0.0.1`) or -compatible IPv6 one:
    a connection to those goes to the IPv4 address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        packed = address.packed
        if packed[:12] == bytes(12) and packed[12:] not in (bytes(4), b"\0\0\0\1"):
            return ipaddress.IPv4Address(packed[12:])  # deprecated IPv4-compatible form
    return address


def embedded(address: IPAddress) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries: mapped, compatible, translated, NAT64
    (RFC 6052), 6to4, and Teredo's server and (inverted) client addresses."""
    if not isinstance(address, ipaddress.IPv6Address):
        return ()
    plain = unwrap(address)
    if isinstance(plain, ipaddress.IPv4Address):
        return (plain,)
    packed = address.packed
    v4 = ipaddress.IPv4Address
    if packed[:8] == bytes(8) and packed[8:12] == b"\xff\xff\0\0":  # ::ffff:0:a.b.c.d
        return (v4(packed[12:]),)
    if packed[:12] == bytes.fromhex("0064ff9b0000000000000000"):  # 64:ff9b::/96
        return (v4(packed[12:]),)
    if packed[:6] == bytes.fromhex("0064ff9b0001"):  # 64:ff9b:1::/48, bits 64-71 skipped
        return (v4(packed[6:8] + packed[9:11]),)
    if packed[:2] == b"\x20\x02":  # 6to4
        return (v4(packed[2:6]),)
    if packed[:4] == b"\x20\x01\0\0":  # Teredo: server, then the client (bits inverted)
        return (v4(packed[4:8]), v4(bytes(byte ^ 0xFF for byte in packed[12:])))
    return ()


def _routable(address: IPAddress) -> bool:
    return address.is_global and not address.is_multicast and address not in _HOST_SERVICES


def is_public(address: IPAddress) -> bool:
    """Globally routable; not a translation or tunnel address, nor a service of the cloud host."""
    plain = unwrap(address)
    if isinstance(plain, ipaddress.IPv6Address) and any(plain in net for net in _TRANSLATED):
        return False
    return _routable(plain)


@dataclass(frozen=True)
class AddressPolicy:
    """What the operator allows beyond public addresses: everything, or some networks."""

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()
    # Ports other than 80 and 443 anywhere (tests that stand a local server in for a public
    # host); `allow_private` opens them too, `allowed_networks` does not.
    other_ports: bool = False

    def refusal(self, address: IPAddress) -> str | None:
        """Why the address may not be contacted, or None when it may."""
        if self.allow_private:
            return None
        for inner in embedded(address):
            reason = self._refusal(inner)
            if reason is not None:
                return reason if inner == unwrap(address) else f"{address}, which carries {reason}"
        return self._refusal(address)

    def _refusal(self, address: IPAddress) -> str | None:
        plain = unwrap(address)
        if any(plain in network for network in self.allowed_networks):
            return None
        if isinstance(plain, ipaddress.IPv6Address):
            for network, kind in _TRANSLATED.items():
                if plain in network:
                    return f"{plain}, {kind} (it stands for another host, or for none)"
        service = _HOST_SERVICES.get(plain) if isinstance(plain, ipaddress.IPv4Address) else None
        if service is not None:
            return f"{plain}, {service}"
        if _routable(plain):
            return None
        return f"{plain}, a private, local or reserved address"

    @property
    def any_port(self) -> bool:
        """Only an operator who allows private hosts (a local mirror, tests) may use any port;
        `allowed_networks` opens those networks on the default ports only."""
        return self.allow_private or self.other_ports


def url_problem(url: str) -> str | None:
    """Why a URL is not a fetchable web address, from its text alone; None when it is."""
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        return "the URL holds characters that cannot be sent (a lone surrogate)"
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        return f"malformed URL ({exc})"
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"only http and https links are fetched, not {parts.scheme or 'a bare path'}"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "the URL carries a user name or password"
    return None


def port_problem(url: str, policy: AddressPolicy) -> str | None:
    """Only ports 80 and 443, unless the operator allows all private hosts (a mirror, tests)."""
    port = urlsplit(url).port
    if port is None or port in (80, 443) or policy.any_port:
        return None
    return (
        f"port {port} is not a standard web port (an operator can allow other ports with "
        "--allow-private-hosts)"
    )


async def system_resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses of a host name or IP literal (`127.1` and `0x7f.1` included), via the OS."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:  # a label that IDNA cannot encode: no DNS name can match it
        raise NoSuchHost(host, f"the host {host} is not a valid host name") from exc
    except socket.gaierror as exc:
        if exc.errno in _NO_SUCH_NAME:
            raise NoSuchHost(host, f"the host {host} does not exist") from exc
        raise UnresolvedHost(host, f"the host {host} does not resolve ({exc})") from exc
    except OSError as exc:
        raise UnresolvedHost(host, f"the host {host} does not resolve ({exc})") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def is_literal(host: str) -> bool:
    """Whether the host is an IP address as written (`127.1` and `0x7f.1` included): resolving
    it needs no DNS, so it says nothing about whether the machine has a network."""
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        try:
            socket.inet_aton(host)
        except (OSError, ValueError):
            return False
    return True


def check_addresses(host: str, addresses: Sequence[IPAddress], policy: AddressPolicy) -> None:
    """Every address of the host must be allowed: one bad answer refuses the host."""
    if not addresses:
        raise NoSuchHost(host, f"the host {host} has no address")
    for address in addresses:
        reason = policy.refusal(address)
        if reason is not None:
            raise BlockedAddress(
                f"{host} resolves to {reason}; zoo-review fetches only public hosts (an operator "
                "can allow others with --allow-private-hosts)"
            )
