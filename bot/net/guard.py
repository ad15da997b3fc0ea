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

# Ranges that hide another address or are never a public web host, refused even where Python's
# `is_global` would let them through: NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002::/16)
# embed IPv4 addresses, Teredo (2001::/32) tunnels.
_TRANSLATED = tuple(
    ipaddress.ip_network(net)
    for net in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32")
)


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
    """The IPv4 address behind an IPv4-mapped (`::ffff:127.0.0.1`) or -compatible IPv6 one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        packed = address.packed
        if packed[:12] == bytes(12) and packed[12:] not in (bytes(4), b"\0\0\0\1"):
            return ipaddress.IPv4Address(packed[12:])  # deprecated IPv4-compatible form
    return address


def is_public(address: IPAddress) -> bool:
    """Globally routable, and not a translation or tunnel prefix that hides another address."""
    plain = unwrap(address)
    if isinstance(plain, ipaddress.IPv6Address) and any(plain in net for net in _TRANSLATED):
        return False
    return plain.is_global and not plain.is_multicast


@dataclass(frozen=True)
class AddressPolicy:
    """What the operator allows beyond public addresses: everything, or some networks."""

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()

    def refusal(self, address: IPAddress) -> str | None:
        """Why the address may not be contacted, or None when it may."""
        plain = unwrap(address)
        if self.allow_private or is_public(address):
            return None
        if any(plain in network or address in network for network in self.allowed_networks):
            return None
        return f"{plain}, a private, local or reserved address"

    @property
    def any_port(self) -> bool:
        """Operators who allow private hosts (a local mirror, tests) may use any port."""
        return self.allow_private or bool(self.allowed_networks)


def url_problem(url: str) -> str | None:
    """Why a URL is not a fetchable web address, from its text alone; None when it is."""
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
    """Only ports 80 and 443, unless the operator allows private hosts (a mirror, tests)."""
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
