"""TLS: a crawl with the project settings talks only to a server whose certificate a trusted authority issued for
the very host it asked for."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import os
import ssl
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SPIDER = textwrap.dedent(
    """
    import scrapy


    class Probe(scrapy.Spider):
        name = "probe"

        async def start(self):
            yield scrapy.Request(self.url, callback=self.ok, errback=self.failed)

        def ok(self, response):
            print("RESULT fetched", response.status, flush=True)

        def failed(self, failure):
            print("RESULT refused", failure.type.__name__, flush=True)
    """
)

Chave = ec.EllipticCurvePrivateKey


def _pem(path: Path, cert: x509.Certificate) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _certificado(
    nome: str, chave: Chave, *, emissor: tuple[x509.Name, Chave] | None = None, ip: str | None = None
) -> x509.Certificate:
    """A certificate for ``nome`` (and ``ip`` in its names): self-signed, or issued by ``emissor`` (a CA when none)."""
    now = dt.datetime.now(dt.UTC)
    sujeito = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, nome)])
    issuer_name, issuer_key = emissor or (sujeito, chave)
    builder = (
        x509.CertificateBuilder()
        .subject_name(sujeito)
        .issuer_name(issuer_name)
        .public_key(chave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
    )
    if emissor is None and ip is None:  # the authority
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:
        nomes: list[x509.GeneralName] = [x509.DNSName(nome)]
        if ip is not None:
            nomes.append(x509.IPAddress(ipaddress.ip_address(ip)))
        builder = builder.add_extension(x509.SubjectAlternativeName(nomes), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def ca(tmp_path: Path) -> tuple[x509.Certificate, Chave, Path]:
    """A private authority: its certificate, its key, and the file a client trusts it through."""
    chave = ec.generate_private_key(ec.SECP256R1())
    cert = _certificado("autoridade-de-teste", chave)
    return cert, chave, _pem(tmp_path / "ca.pem", cert)


@pytest.fixture
def pki(tmp_path: Path, ca: tuple[x509.Certificate, Chave, Path]) -> dict[str, tuple[Path, Path]]:
    """Three server identities as (certificate, key) files: issued by ``ca`` for 127.0.0.1, issued by ``ca`` for
    another host, and self-signed for 127.0.0.1."""
    ca_cert, ca_key, _ = ca
    out = {}
    for nome, emissor, ip in (
        ("certo", (ca_cert.subject, ca_key), "127.0.0.1"),
        ("outro-host", (ca_cert.subject, ca_key), None),
        ("auto", None, "127.0.0.1"),
    ):
        chave = ec.generate_private_key(ec.SECP256R1())
        cert = _certificado("pje.trt3.jus.br" if nome == "outro-host" else nome, chave, emissor=emissor, ip=ip)
        key_path = tmp_path / f"{nome}.key"
        key_path.write_bytes(
            chave.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        out[nome] = (_pem(tmp_path / f"{nome}.pem", cert), key_path)
    return out


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def servidor(pki: dict[str, tuple[Path, Path]]) -> Iterator[object]:
    """``servidor(nome)``: the URL of an HTTPS server on loopback presenting identity ``nome``."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(nome: str) -> str:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*pki[nome])
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"https://127.0.0.1:{server.server_address[1]}/pje-comum-api/api"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _probe(tmp_path: Path, url: str, ca: Path, *settings: str) -> str:
    """One request from a crawl with the project settings that trusts ``ca`` (through OpenSSL's SSL_CERT_FILE)."""
    (tmp_path / "probe.py").write_text(SPIDER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    env.update(
        SINESYS_VAR_DIR=str(tmp_path / "var"), SCRAPY_SETTINGS_MODULE="sinesys_spiders.settings", SSL_CERT_FILE=str(ca)
    )
    argv = [sys.executable, "-m", "scrapy", "runspider", "probe.py", "-a", f"url={url}", "-s", "LOG_LEVEL=ERROR"]
    # A refused handshake is retried RETRY_TIMES times as always, without the back-off (about 8 s of waiting).
    argv += ["-s", "SINESYS_RETRY_BASE_DELAY=0"]
    for setting in settings:
        argv += ["-s", setting]
    result = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    [line] = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    return line


def test_only_a_trusted_certificate_for_the_host_asked_for_is_accepted(tmp_path: Path, ca, servidor) -> None:
    """A certificate from a trusted authority for this host is accepted; one for another host, or one no authority
    vouches for (a man in the middle with his own), gets no request, and so no session cookie."""
    confiavel = ca[2]
    assert _probe(tmp_path, servidor("certo"), confiavel) == "RESULT fetched 200"
    for impostor in (servidor("outro-host"), servidor("auto")):
        assert _probe(tmp_path, impostor, confiavel).startswith("RESULT refused")
        # Reached once verification is switched off: what refused it was the certificate.
        assert _probe(tmp_path, impostor, confiavel, "DOWNLOAD_VERIFY_CERTIFICATES=False") == "RESULT fetched 200"
