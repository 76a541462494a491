"""TLS for the emulator: a local CA and a server certificate for ``127.0.0.1``/``localhost``.

azure-core (and so ``azure-ai-projects`` and Microsoft Agent Framework) refuses to send a bearer
token over plain http, so the official clients need ``https://``. :func:`ensure_certificate`
generates, once, a small CA and a server certificate signed by it into ``<data dir>/tls/``
and reuses them afterwards; clients trust the CA file (``SSL_CERT_FILE`` / ``REQUESTS_CA_BUNDLE``).
:func:`user_certificate` takes a certificate and key the user already has instead.

Example:
    >>> files = ensure_certificate("/tmp/emulator-data")  # doctest: +SKIP
    >>> files.ca                                          # doctest: +SKIP
    PosixPath('/tmp/emulator-data/tls/ca.pem')
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Where the emulator keeps its files when no data folder is given (``--data-dir``).
DATA_DIR_ENV = "FOUNDRY_AGENTS_EMULATOR_HOME"
TLS_SUBDIR = "tls"
CA_FILE, CERT_FILE, KEY_FILE = "ca.pem", "cert.pem", "key.pem"
SERVER_NAMES = ("localhost",)
SERVER_IPS = ("127.0.0.1", "::1")
CA_DAYS, SERVER_DAYS = 3650, 825
#: A stored certificate that expires sooner than this is generated again.
RENEW_BEFORE = datetime.timedelta(days=7)


class TlsSetupError(ValueError):
    """The certificate or key cannot be used (missing, unreadable, or not a matching pair)."""


@dataclass(frozen=True)
class TlsFiles:
    """The server's certificate chain and key, and the CA file clients should trust."""

    cert: Path
    key: Path
    ca: Path

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts :attr:`ca` (for ``httpx.Client(verify=...)``)."""
        return ssl.create_default_context(cafile=str(self.ca))


def default_data_dir() -> Path:
    """``$FOUNDRY_AGENTS_EMULATOR_HOME``, else ``~/.foundry-agents/emulator`` (every platform)."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override).expanduser() if override else Path.home() / ".foundry-agents" / "emulator"


def trust_instructions(files: TlsFiles) -> str:
    """The line printed at start: which environment makes clients trust the emulator."""
    ca = str(files.ca)
    return (
        f"TLS: trust the emulator's CA with SSL_CERT_FILE={ca} (httpx, openai, aiohttp, azure-core async) "
        f"and REQUESTS_CA_BUNDLE={ca} (requests, azure-core sync), "
        f"or pass httpx.Client(verify=ssl.create_default_context(cafile={ca!r}))."
    )


def user_certificate(cert: str | Path, key: str | Path) -> TlsFiles:
    """The user's own certificate (PEM, chain allowed) and key; clients trust ``cert``."""
    files = TlsFiles(cert=Path(cert).expanduser(), key=Path(key).expanduser(), ca=Path(cert).expanduser())
    _check_pair(files)
    return files


def ensure_certificate(data_dir: str | Path | None = None) -> TlsFiles:
    """The emulator's generated certificate in ``<data_dir>/tls``, made on first use.

    A missing, unreadable or nearly expired set is generated again. Generation writes to a
    temporary folder and renames it into place, so two emulators starting at once both end up
    with one complete, consistent set.
    """
    base = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    target = base / TLS_SUBDIR
    files = _files_in(target)
    if _usable(files):
        return files
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TlsSetupError(f"cannot create the emulator data folder {base}: {exc}") from exc
    staging = Path(tempfile.mkdtemp(prefix=".tls-", dir=base))
    try:
        _write_new_set(_files_in(staging))
        if _usable(files):  # another emulator finished first: keep its set
            return files
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        try:
            staging.rename(target)
        except OSError:  # another emulator won the race: use its set if it is complete
            if not _usable(files):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return files


def _files_in(folder: Path) -> TlsFiles:
    return TlsFiles(cert=folder / CERT_FILE, key=folder / KEY_FILE, ca=folder / CA_FILE)


def _check_pair(files: TlsFiles) -> None:
    for label, path in (("certificate", files.cert), ("key", files.key)):
        if not path.is_file():
            raise TlsSetupError(f"TLS {label} file {str(path)!r} does not exist")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(str(files.cert), str(files.key))
    except (ssl.SSLError, OSError) as exc:
        raise TlsSetupError(
            f"cannot use TLS certificate {str(files.cert)!r} with key {str(files.key)!r}: {exc} "
            "(expected PEM files: the certificate (chain) and its unencrypted private key)"
        ) from exc


def _usable(files: TlsFiles) -> bool:
    """The stored set is complete, loads, and is valid for at least :data:`RENEW_BEFORE`."""
    from cryptography import x509

    if not files.ca.is_file():
        return False
    try:
        _check_pair(files)
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
    except (TlsSetupError, ValueError, OSError):
        return False
    return cert.not_valid_after_utc - RENEW_BEFORE > datetime.datetime.now(datetime.timezone.utc)


def _write_new_set(files: TlsFiles) -> None:
    """A CA (``ca.pem``) and a server certificate it signed (``cert.pem`` + ``key.pem``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    start = now - datetime.timedelta(hours=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "foundry-agents emulator local CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in SERVER_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in SERVER_IPS]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=True,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    files.ca.write_bytes(ca_cert.public_bytes(pem))
    files.cert.write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    key_bytes = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(files.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key_bytes)
