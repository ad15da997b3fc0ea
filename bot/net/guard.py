"""Decides whether a host may be fetched: only globally routable addresses, unless allowed."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOWED_SCHEMES = ("http", "https")


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


def port_problem(url: str, allow_private: bool) -> str | None:
    """Only ports 80 and 443, unless the operator allows private hosts (a mirror, tests)."""
    port = urlsplit(url).port
    if port is None or port in (80, 443) or allow_private:
        return None
    return (
        f"port {port} is not a standard web port (an operator can allow other ports with "
        "--allow-private-hosts)"
    )


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


class UnresolvedHost(Exception):
    """The host name did not resolve: a typo, or no network where the review runs."""


async def host_problem(url: str, allow_private: bool) -> str | None:
    """Why the URL's host may not be contacted (decided on the resolved addresses).

    Raises UnresolvedHost when the name does not resolve.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        addresses = await resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise UnresolvedHost(f"the host {host} does not resolve ({exc})") from exc
    if allow_private:
        return None
    for address in addresses:
        if not is_public(address):
            return (
                f"{host} resolves to {unwrap(address)}, a private or local address "
                "(an operator can allow such hosts with --allow-private-hosts)"
            )
    return None
