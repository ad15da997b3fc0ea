"""TLS is verified against the host name of the URL while the connection goes to the address
that was checked (pinned): a local HTTPS server with a certificate for `zoo.test`, signed by a
test authority, reached through an injected resolver."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import bot.net.transport
from bot.net.fetcher import GuardedFetcher, NetworkSettings
from bot.net.guard import AddressPolicy, IPAddress
from bot.net.transport import ConnectionLog
from bot.net.types import Request

OPEN = AddressPolicy(allow_private=True)
LOOPBACK = ipaddress.ip_address("127.0.0.1")


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass(frozen=True)
class Authority:
    """A test certificate authority and a server certificate it signed for `zoo.test`."""

    ca: Path
    cert: Path
    key: Path


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    folder = tmp_path_factory.mktemp("tls")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("zoo-review test CA"))
        .issuer_name(_name("zoo-review test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("zoo.test"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("zoo.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = Authority(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    paths.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(_pem(key))
    return paths


@dataclass
class HttpsServer:
    port: int
    paths: list[str]


@pytest.fixture
def https_server(authority: Authority) -> Iterator[HttpsServer]:
    """An HTTPS server on 127.0.0.1 that presents the `zoo.test` certificate."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen.append(self.path)
            body = b'{"ok": 1}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that refuses our certificate hangs up mid-handshake: expected

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(authority.cert, authority.key)
    server = Server(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HttpsServer(server.server_address[1], seen)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def trusting(authority: Authority, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fetcher's own TLS context (same settings), with the test authority trusted too."""
    context = bot.net.transport.tls_context.__wrapped__()
    context.load_verify_locations(cafile=authority.ca)
    monkeypatch.setattr(bot.net.transport, "tls_context", lambda: context)


async def _to_loopback(host: str, port: int) -> list[IPAddress]:
    return [LOOPBACK]


def _fetch(url: str) -> tuple[str, str | None, ConnectionLog]:
    log = ConnectionLog()
    fetcher = GuardedFetcher(
        OPEN, NetworkSettings(timeout=5, retries=0), resolver=_to_loopback, log=log
    )
    request = Request("body", url, 1000)
    result = asyncio.run(fetcher.fetch([request]))[request]
    return result.verdict, result.reason, log


@pytest.mark.usefixtures("trusting")
def test_the_certificate_is_checked_against_the_urls_host_at_the_pinned_address(
    https_server: HttpsServer,
) -> None:
    verdict, reason, log = _fetch(f"https://zoo.test:{https_server.port}/s.json")
    assert (verdict, reason) == ("ok", None)
    # The connection went to the resolved and checked address, the name was used for TLS.
    assert log.connections == [("zoo.test", LOOPBACK)]
    assert https_server.paths == ["/s.json"]


@pytest.mark.usefixtures("trusting")
def test_a_certificate_for_another_name_is_refused_at_the_same_address(
    https_server: HttpsServer,
) -> None:
    verdict, reason, log = _fetch(f"https://files.test:{https_server.port}/s.json")
    assert verdict != "ok"
    assert reason is not None and "certificate" in reason.casefold()
    assert log.connections == [("files.test", LOOPBACK)]
    assert https_server.paths == []  # no request is sent over an unverified connection


def test_a_certificate_from_an_unknown_authority_is_refused(https_server: HttpsServer) -> None:
    verdict, reason, _log = _fetch(f"https://zoo.test:{https_server.port}/s.json")
    assert verdict != "ok"
    assert reason is not None and "certificate" in reason.casefold()
    assert https_server.paths == []
