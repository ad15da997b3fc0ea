"""An httpx transport whose every connection goes to an address the guard has just approved."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import importlib.util
import ssl
import sys
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import httpcore
import httpx

from bot.net import streams
from bot.net.guard import (
    AddressPolicy,
    IPAddress,
    Resolver,
    check_addresses,
    is_literal,
    is_public,
    system_resolve,
)
from bot.net.streams import SocketOption

# httpcore runs `import sniffio` for every lock it creates; when sniffio is not installed, each
# such import searches sys.path again (~0.1 ms, thousands per audit). Record its absence once,
# so that those imports fail at once (httpcore then assumes asyncio, as it does anyway).
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

Connect = Callable[..., Awaitable[httpcore.AsyncNetworkStream]]
"""Opens a TCP connection: `(address, port, timeout=, local_address=, socket_options=)`."""

# Seconds before a connection attempt whose SYN got no answer is made again.
SYN_RETRY = 0.25


@dataclass
class ConnectionLog:
    """Which host was connected to which address: for tests and the benchmark."""

    connections: list[tuple[str, IPAddress]] = field(default_factory=list)


@dataclass
class Reachability:
    """What one fetch learnt about the network: host names that resolved, and whether a public
    address answered. Neither: the machine has no network, rather than every host a typo."""

    names: set[str] = field(default_factory=set)
    public: bool = False

    @property
    def online(self) -> bool:
        return bool(self.names) or self.public


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host, checks every address, then connects to a checked one (pinned).

    Checking and connecting use the same answer, so a DNS answer that changes in between (DNS
    rebinding) cannot redirect the connection. TLS still verifies the certificate against the
    host name: httpcore passes the URL's host as `server_hostname` when it starts TLS.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver,
        log: ConnectionLog,
        reachability: Reachability,
        connect: Connect = streams.connect_tcp,
    ) -> None:
        self._policy = policy
        self._resolve = resolver
        self._log = log
        self._reachability = reachability
        self._connect = connect

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port)
        if addresses and not is_literal(host):
            self._reachability.names.add(host)
        check_addresses(host, addresses, self._policy)
        error: Exception | None = None
        for address in addresses:
            # A SYN that gets no answer (dropped by a full listen backlog, or lost) is sent
            # again by the kernel only after a second: a second attempt after 0.25 s instead.
            first = SYN_RETRY if timeout is None else min(SYN_RETRY, timeout)
            rest = None if timeout is None else timeout - first
            for attempt_timeout in (first, rest) if rest != 0 else (first,):
                try:
                    stream = await self._connect(
                        str(address),
                        port,
                        timeout=attempt_timeout,
                        local_address=local_address,
                        socket_options=socket_options,
                    )
                except httpcore.ConnectTimeout as exc:
                    error = exc
                    continue
                except httpcore.ConnectError as exc:
                    error = exc
                    break
                self._log.connections.append((host, address))
                if is_public(address):
                    self._reachability.public = True
                return stream
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("zoo-review does not connect to local sockets")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context (certificates verified against the system's store) for the process:
    loading the certificates takes tens of milliseconds."""
    return httpx.create_ssl_context(trust_env=False)


# Imported by the first request, not before: anyio's asyncio backend (httpcore's locks and
# events under asyncio take theirs from it: ~60 ms of imports), the IDNA codec (getaddrinfo
# encodes host names with it) and the thread pool that runs getaddrinfo.
FIRST_REQUEST_MODULES = ("anyio._backends._asyncio", "encodings.idna", "concurrent.futures.thread")


def warm_up() -> None:
    """Get ready what the first request would wait for: the TLS context, and the modules it
    imports on first use (one missing in another version of the libraries is passed over)."""
    tls_context()
    for name in FIRST_REQUEST_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the connection pool built on GuardedBackend; no proxies."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver = system_resolve,
        limits: httpx.Limits,
        log: ConnectionLog | None = None,
    ) -> None:
        context = tls_context()
        super().__init__(verify=context, trust_env=False, limits=limits)
        self.log = log or ConnectionLog()
        self.reachability = Reachability()
        # httpx does not take a network backend, so the pool it built is replaced by one that
        # uses ours; everything else (request and response mapping) is httpx's own.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedBackend(policy, resolver, self.log, self.reachability),
        )
