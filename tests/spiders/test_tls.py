"""TLS: a crawl with the project settings refuses a server whose certificate it cannot verify."""

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


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tribunal-falso")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def https_url(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server on loopback with a self-signed certificate (no CA vouches for it)."""
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/pje-comum-api/api"
    finally:
        server.shutdown()
        server.server_close()


def _probe(tmp_path: Path, url: str, *settings: str) -> str:
    (tmp_path / "probe.py").write_text(SPIDER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    env.update(SINESYS_VAR_DIR=str(tmp_path / "var"), SCRAPY_SETTINGS_MODULE="sinesys_spiders.settings")
    argv = [sys.executable, "-m", "scrapy", "runspider", "probe.py", "-a", f"url={url}", "-s", "LOG_LEVEL=ERROR"]
    for setting in settings:
        argv += ["-s", setting]
    result = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    [line] = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    return line


def test_a_certificate_no_authority_vouches_for_is_refused(tmp_path: Path, https_url: str) -> None:
    """A man in the middle with his own certificate gets no request (and so no session cookie) from a crawl."""
    assert _probe(tmp_path, https_url).startswith("RESULT refused")
    # The same server is reached once verification is switched off: what refused it was the certificate.
    assert _probe(tmp_path, https_url, "DOWNLOAD_VERIFY_CERTIFICATES=False") == "RESULT fetched 200"
