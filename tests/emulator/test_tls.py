"""``run_emulator(tls=True)`` / ``--tls``: a local CA and server certificate, made once, trusted by our clients."""

from __future__ import annotations

import ipaddress
import ssl
import stat
import sys

import httpx
import pytest
from cryptography import x509

from foundry_agents import AsyncFoundryAgentsClient, FoundryAgentsClient
from foundry_agents.emulator import EMULATOR_TOKEN, cli, run_emulator
from foundry_agents.emulator.tls import (
    DATA_DIR_ENV,
    TlsSetupError,
    default_data_dir,
    ensure_certificate,
)


@pytest.fixture(scope="module")
def tls_emu(tmp_path_factory):
    with run_emulator(tls=True, tls_dir=tmp_path_factory.mktemp("data")) as emu:
        yield emu


def test_certificate_is_made_once_and_reused(tmp_path):
    files = ensure_certificate(tmp_path)
    assert files.ca == tmp_path / "tls" / "ca.pem"
    first = (files.cert.read_bytes(), files.key.read_bytes(), files.ca.read_bytes())
    again = ensure_certificate(tmp_path)
    assert (again.cert.read_bytes(), again.key.read_bytes(), again.ca.read_bytes()) == first
    if sys.platform != "win32":
        assert stat.S_IMODE(files.key.stat().st_mode) == 0o600


def test_broken_certificate_is_made_again(tmp_path):
    files = ensure_certificate(tmp_path)
    old_ca = files.ca.read_bytes()
    files.key.write_text("not a key")
    files = ensure_certificate(tmp_path)
    assert files.ca.read_bytes() != old_ca
    ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(files.cert, files.key)


def test_certificate_names_loopback_by_ip_and_dns(tmp_path):
    cert = x509.load_pem_x509_certificate(ensure_certificate(tmp_path).cert.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert set(san.get_values_for_type(x509.IPAddress)) == {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_strict_verification_by_ip_and_name(tls_emu, host):
    ctx = tls_emu.tls.ssl_context()
    ctx.verify_flags |= getattr(ssl, "VERIFY_X509_STRICT", 0)  # Python 3.13's default
    url = f"https://{host}:{tls_emu.port}/api/projects/emulator/agents/echo?api-version=v1"
    with httpx.Client(verify=ctx) as http:
        resp = http.get(url, headers={"Authorization": f"Bearer {EMULATOR_TOKEN}"})
    assert resp.status_code == 200 and resp.json()["name"] == "echo"


def test_untrusted_client_is_refused(tls_emu):
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"), httpx.Client(verify=True) as http:
        http.get(f"{tls_emu.base_url}/api/projects/emulator/agents?api-version=v1")


def test_our_client_with_http_client_verify(tls_emu):
    assert tls_emu.endpoint.startswith("https://") and tls_emu.ca_file.is_file()
    http = httpx.Client(verify=tls_emu.tls.ssl_context())
    with FoundryAgentsClient(tls_emu.endpoint, api_key=EMULATOR_TOKEN, http_client=http) as client:
        assert client.create_response("echo", input="over tls").output_text == "Echo v2: over tls"
    http.close()


def test_our_client_with_ssl_cert_file(tls_emu, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_emu.ca_file))  # what the CLI's trust line says
    with FoundryAgentsClient(tls_emu.endpoint, api_key=EMULATOR_TOKEN) as client:
        assert client.create_response("echo", input="env trust").output_text == "Echo v2: env trust"


async def test_async_client_over_tls(tls_emu):
    http = httpx.AsyncClient(verify=tls_emu.tls.ssl_context())
    async with AsyncFoundryAgentsClient(tls_emu.endpoint, api_key=EMULATOR_TOKEN, http_client=http) as client:
        reply = await client.create_response("echo", input="async tls")
    await http.aclose()
    assert reply.output_text == "Echo v2: async tls"


def test_user_certificate(tmp_path):
    made = ensure_certificate(tmp_path / "elsewhere")
    with run_emulator(cert=made.cert, key=made.key) as emu:
        assert emu.endpoint.startswith("https://") and emu.ca_file == made.cert
        with httpx.Client(verify=ssl.create_default_context(cafile=str(made.ca))) as http:
            resp = http.get(f"{emu.endpoint}/agents?api-version=v1", headers={"Authorization": "Bearer t"})
        assert resp.status_code == 200


def test_cert_without_key_is_refused_before_serving(tmp_path):
    made = ensure_certificate(tmp_path)
    with pytest.raises(ValueError, match="cert given without key"), run_emulator(cert=made.cert):
        pass


def test_missing_or_mismatched_files_name_the_file(tmp_path):
    made, other = ensure_certificate(tmp_path / "a"), ensure_certificate(tmp_path / "b")
    with pytest.raises(TlsSetupError, match=r"nope\.pem"), run_emulator(cert=tmp_path / "nope.pem", key=made.key):
        pass
    with pytest.raises(TlsSetupError, match="cannot use TLS certificate"), run_emulator(cert=made.cert, key=other.key):
        pass


def test_cli_refuses_half_a_pair(tmp_path, capsys):
    made = ensure_certificate(tmp_path)
    assert cli.main(["--port", "0", "--key", str(made.key)]) == 2
    assert "key given without cert" in capsys.readouterr().err


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    assert default_data_dir().parts[-2:] == (".foundry-agents", "emulator")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert default_data_dir() == tmp_path
    assert ensure_certificate().ca == tmp_path / "tls" / "ca.pem"


def test_concurrent_first_runs_agree(tmp_path):
    """Two emulators starting at once on a fresh folder end with one complete, matching set."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: ensure_certificate(tmp_path), range(4)))
    assert len({r.ca for r in results}) == 1
    files = results[0]
    ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(files.cert, files.key)
    ca = x509.load_pem_x509_certificate(files.ca.read_bytes())
    leaf = x509.load_pem_x509_certificate(files.cert.read_bytes())
    assert leaf.issuer == ca.subject
    assert [p.name for p in tmp_path.iterdir()] == ["tls"]  # no staging folder left behind
