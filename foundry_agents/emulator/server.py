"""Serve the emulator with uvicorn on a background thread: :func:`run_emulator`."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from .app import create_app
from .constants import EMULATOR_PROJECT, EMULATOR_TOKEN
from .tls import TlsFiles, ensure_certificate, user_certificate

STARTUP_TIMEOUT = 10.0


@dataclass(frozen=True)
class RunningEmulator:
    """A running emulator: ``endpoint`` is the project endpoint to give clients.

    With TLS, ``tls`` holds the certificate files and ``ca_file`` the CA clients must trust.
    """

    host: str
    port: int
    app: Starlette
    project: str = EMULATOR_PROJECT
    tls: TlsFiles | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    @property
    def ca_file(self) -> Path | None:
        return self.tls.ca if self.tls is not None else None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/api/projects/{self.project}"

    @property
    def token(self) -> str:
        return EMULATOR_TOKEN


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket bound to ``host:port`` (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto is
    # TCP, and without it Nagle + delayed ACK add ~40 ms to every keep-alive request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listen now, so a client that connects as soon as the endpoint is printed is queued.
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def uvicorn_server(
    app: Starlette, host: str, port: int, *, log_level: str = "warning", tls: TlsFiles | None = None
) -> uvicorn.Server:
    ssl_files: dict[str, Any] = {}
    if tls is not None:
        ssl_files = {"ssl_certfile": str(tls.cert), "ssl_keyfile": str(tls.key)}
    config = uvicorn.Config(
        app, host=host, port=port, log_level=log_level, lifespan="off", timeout_graceful_shutdown=1,
        access_log=False, **ssl_files,
    )
    return uvicorn.Server(config)


def resolve_tls(
    tls: bool, *, tls_dir: str | Path | None = None, cert: str | Path | None = None, key: str | Path | None = None
) -> TlsFiles | None:
    """The certificate to serve: the user's ``cert``/``key``, else one generated into ``tls_dir``.

    ``cert``/``key`` imply TLS and must come together; ``tls_dir`` defaults to
    :func:`~.tls.default_data_dir`. Raises :class:`~.tls.TlsSetupError` for unusable files.
    """
    if (cert is None) != (key is None):
        given, missing = ("cert", "key") if cert is not None else ("key", "cert")
        raise ValueError(f"TLS {given} given without {missing}: pass both (PEM files) or neither")
    if cert is not None and key is not None:
        return user_certificate(cert, key)
    return ensure_certificate(tls_dir) if tls else None


@contextlib.contextmanager
def run_emulator(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    project: str = EMULATOR_PROJECT,
    tls: bool = False,
    tls_dir: str | Path | None = None,
    cert: str | Path | None = None,
    key: str | Path | None = None,
    **create_app_kwargs: Any,
) -> Iterator[RunningEmulator]:
    """Run an emulator on a background thread for the duration of the ``with`` block.

    ``create_app_kwargs`` go to :func:`~.app.create_app` (e.g. ``data_dir=`` to keep state).

    Example:
        >>> with run_emulator() as emu:  # doctest: +SKIP
        ...     print(emu.endpoint)      # http://127.0.0.1:54321/api/projects/emulator
        >>> with run_emulator(tls=True, tls_dir="/tmp/emu") as emu:  # doctest: +SKIP
        ...     print(emu.endpoint, emu.ca_file)  # https://127.0.0.1:54322/... /tmp/emu/tls/ca.pem

    ``tls=True`` serves ``https://`` with a certificate generated once into ``tls_dir``
    (default: ``create_app_kwargs["data_dir"]`` if given, else the per-user data folder);
    ``cert``/``key`` serve the user's own certificate. ``emu.ca_file`` is the file to trust.
    """
    tls_files = resolve_tls(tls, tls_dir=tls_dir or create_app_kwargs.get("data_dir"), cert=cert, key=key)
    app = create_app(**create_app_kwargs)
    try:
        with _serving(app, host, port, tls=tls_files, name="emulator") as actual_port:
            yield RunningEmulator(host=host, port=actual_port, app=app, project=project, tls=tls_files)
    finally:
        app.state.emulator.store.close()


@contextlib.contextmanager
def serve_app(app: Any, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve any ASGI ``app`` (e.g. a replay or record app) on a background thread; yields its base URL."""
    with _serving(app, host, port) as actual_port:
        yield f"http://{f'[{host}]' if ':' in host else host}:{actual_port}"


@contextlib.contextmanager
def _serving(app: Any, host: str, port: int, *, tls: Any = None, name: str = "serve") -> Iterator[int]:
    """Run uvicorn for ``app`` on a background thread until the block ends; yields the port."""
    sock = bind_socket(host, port)
    actual_port = sock.getsockname()[1]
    server = uvicorn_server(app, host, actual_port, tls=tls)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"{name}-{actual_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the {name} did not start on {host}:{actual_port}")
            time.sleep(0.005)
        yield actual_port
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
