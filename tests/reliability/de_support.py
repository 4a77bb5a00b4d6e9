"""What the time and network tests share: several CLI runs at once, and the device-code polling loop run
in-process on a controllable clock (awsenv's own `sleep`/`clock` parameters), so a SlowDown's extra 5 s and a
device code's whole lifetime cost no real time."""

from __future__ import annotations

import io
import subprocess
from contextlib import contextmanager
from http.server import ThreadingHTTPServer

import pytest

from awsenv.sso import device as sso_device
from awsenv.sso import oidc as sso_oidc
from awsenv.model import SsoSession
from tests.helpers import AWSENV

SESSION = SsoSession("corp", "https://example.awsapps.com/start", "us-east-1", ("sso:account:access",))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def oidc(sso, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", sso.url)
    monkeypatch.setenv("AWSENV_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path))  # the registration is saved in ~/.aws/sso/cache
    config = tmp_path / "config"
    config.write_text("[profile dev]\nsso_session = corp\n[sso-session corp]\n"
                      f"sso_start_url = {SESSION.start_url}\nsso_region = {SESSION.region}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = sso_oidc.client("dev", SESSION)
    return client, sso_oidc.register(client, "dev", SESSION)


def sign_in(oidc, clock: FakeClock, stderr: io.StringIO):
    client, registration = oidc
    return sso_device.sign_in(client, "dev", SESSION, registration, browser=False, sleep=clock.sleep, clock=clock,
                              display=sso_device.Display(stderr, terminal=False))


def run_all(home, runs: list[tuple[tuple[str, ...], dict]]) -> list[subprocess.CompletedProcess]:
    """Several `awsenv` runs at once (independent of each other), their results in order."""
    procs = [subprocess.Popen([AWSENV, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              stdin=subprocess.DEVNULL, start_new_session=True, cwd=str(home.root))
             for args, env in runs]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


@pytest.fixture
def gate(sts):
    """The STS gate with its faults off before and after the test."""
    sts.clear_faults()
    yield sts
    sts.clear_faults()


def cache_entries(home) -> list:
    """The credential entries in awsenv's cache (and its cache-hit index), whatever else lies there."""
    return sorted(p.name for p in home.cache.rglob("*.json")) if home.cache.exists() else []


@contextmanager
def tls_server_with_an_unknown_ca(directory):
    """An HTTPS server on 127.0.0.1 whose certificate no trusted CA signed, as a TLS-inspecting proxy presents one:
    its URL. Made with the `cryptography` package, so no openssl binary is needed."""
    import datetime as dt
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from tests.servers.loopback import QuietHandler, run_in_thread

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "inspecting proxy")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "proxy.crt", directory / "proxy.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))

    class Answer(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.reply(200, b"", "text/xml")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    run_in_thread(server)
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
