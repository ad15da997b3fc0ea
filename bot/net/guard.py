"""Decides whether a host may be fetched: only globally routable addresses, unless allowed."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOWED_SCHEMES = ("http", "https")


def url_problem(url: str, allow_private: bool = False) -> str | None:
    """Why a URL may not be fetched at all, from its text alone; None when it may.

    Operators who allow private hosts (a local mirror, tests) may also use any port.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"malformed URL ({exc})"
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"only http and https links are fetched, not {parts.scheme or 'a bare path'}"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "the URL carries a user name or password"
    if port is not None and port not in (80, 443) and not allow_private:
        return f"port {port} is not a standard web port"
    return None


def unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address behind an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_public(address: IPAddress) -> bool:
    return unwrap(address).is_global


async def resolve(host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]
        addresses.append(ipaddress.ip_address(text))
    return addresses


async def host_problem(url: str, allow_private: bool) -> str | None:
    """Why the URL's host may not be contacted (decided on the resolved addresses)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        addresses = await resolve(host, port)
    except (OSError, UnicodeError) as exc:
        return f"the host {host} does not resolve ({exc})"
    if allow_private:
        return None
    for address in addresses:
        if not is_public(address):
            return (
                f"{host} resolves to {unwrap(address)}, a private or local address "
                "(an operator can allow such hosts with --allow-private-hosts)"
            )
    return None
