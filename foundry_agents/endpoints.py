"""Project endpoints and the routes a Responses call can take.

The URLs and which route takes which: docs/protocol.md, "Endpoints and routes".
"""

from __future__ import annotations

import enum
import ipaddress
import os
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from .errors import FoundryConfigError, InvalidEndpointError

__all__ = [
    "ENDPOINT_ENV_VARS",
    "PREVIEW_API_VERSION",
    "ProjectEndpoint",
    "Route",
    "resolve_endpoint",
]

ENDPOINT_ENV_VARS = ("FOUNDRY_PROJECT_ENDPOINT", "AZURE_AI_PROJECT_ENDPOINT")
PREVIEW_API_VERSION = "2025-11-15-preview"
AGENTS_API_VERSION = "v1"
EXPECTED_SHAPE = "https://<resource>.services.ai.azure.com/api/projects/<project>"
_PROJECT_PATH = re.compile(r"/api/projects/([^/]+)")


class Route(str, enum.Enum):
    """Which HTTP route a Responses call takes.

    - ``RESPONSES`` (default): ``POST {endpoint}/openai/v1/responses`` with ``agent_reference``.
    - ``PREVIEW``: the legacy ``/openai/responses?api-version=2025-11-15-preview`` route with the
      body key ``agent`` (SDK 2.0.0b1-b3 era). The service now rejects ``agent`` on the v1 route.
    - ``AGENT_ENDPOINT``: the per-agent route
      ``{endpoint}/agents/{name}/endpoint/protocols/openai/responses?api-version=v1``; the agent is
      named by the URL, so the body carries no ``agent_reference`` [UNVERIFIED whether a version
      can be pinned on it: it cannot here].
    - ``APPLICATION``: a published agent's stable Agent Application endpoint
      ``{endpoint}/applications/{app}/protocols/openai/responses?api-version=2025-11-15-preview``;
      the application is named by the URL (pass its name where an agent name goes), the body
      carries no ``agent_reference`` and no version can be pinned [UNVERIFIED by a recording:
      docs/protocol.md, "Agent Applications"].
    """

    RESPONSES = "responses"
    PREVIEW = "preview"
    AGENT_ENDPOINT = "agent_endpoint"
    APPLICATION = "application"

    @property
    def names_agent_in_url(self) -> bool:
        """True when the URL names the agent (or application), so the body carries no reference."""
        return self in (Route.AGENT_ENDPOINT, Route.APPLICATION)


@dataclass(frozen=True, slots=True)
class ProjectEndpoint:
    """A validated Foundry project endpoint, ``https://<resource>.services.ai.azure.com/api/projects/<project>``.

    ``http://`` is accepted only for loopback hosts (the local emulator).

    Example:
        >>> ep = ProjectEndpoint.parse("https://acme.services.ai.azure.com/api/projects/demo/")
        >>> ep.responses_url()
        'https://acme.services.ai.azure.com/api/projects/demo/openai/v1/responses'
    """

    url: str
    project: str

    @classmethod
    def parse(cls, value: str) -> ProjectEndpoint:
        if not isinstance(value, str) or not value.strip():
            raise InvalidEndpointError(f"project endpoint is empty; expected {EXPECTED_SHAPE}")
        text = value.strip()
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidEndpointError(
                f"project endpoint {text!r} is not an http(s) URL; expected {EXPECTED_SHAPE}"
            )
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise InvalidEndpointError(
                f"project endpoint {text!r} uses http://; Foundry requires https:// "
                "(plain http is allowed only for loopback hosts such as the local emulator)"
            )
        if parts.query or parts.fragment:
            raise InvalidEndpointError(
                f"project endpoint {text!r} has a query or fragment; expected {EXPECTED_SHAPE}"
            )
        path = parts.path.rstrip("/")
        match = _PROJECT_PATH.match(path)
        if not match:
            raise InvalidEndpointError(
                f"project endpoint {text!r} has no '/api/projects/<project>' path; expected "
                f"{EXPECTED_SHAPE} (copy it from the project's overview page in the Foundry portal)"
            )
        extra = path[match.end() :]
        if extra:
            root = text[: text.find(match.group(0)) + len(match.group(0))]
            raise InvalidEndpointError(
                f"project endpoint {text!r} has {extra!r} after the project name; give the project "
                f"endpoint itself, {root!r} (expected shape {EXPECTED_SHAPE})"
            )
        base = f"{parts.scheme}://{parts.netloc}{path}"
        return cls(url=base, project=match.group(1))

    # -- URLs --------------------------------------------------------------------------------
    def responses_url(self, route: Route = Route.RESPONSES, *, agent_name: str | None = None) -> str:
        if route is Route.RESPONSES:
            return f"{self.url}/openai/v1/responses"
        if route is Route.PREVIEW:
            return f"{self.url}/openai/responses?api-version={PREVIEW_API_VERSION}"
        if not agent_name:
            raise InvalidEndpointError(f"the {route.value} route needs an agent name")
        if route is Route.APPLICATION:
            return (f"{self.url}/applications/{_segment(agent_name, 'application name')}/protocols/openai/responses"
                    f"?api-version={PREVIEW_API_VERSION}")
        return (
            f"{self.url}/agents/{_segment(agent_name, 'agent name')}/endpoint/protocols/openai/responses"
            f"?api-version={AGENTS_API_VERSION}"
        )

    def response_url(self, response_id: str, suffix: str = "") -> str:
        return f"{self.url}/openai/v1/responses/{_segment(response_id, 'response_id')}{suffix}"

    def conversations_url(self, conversation_id: str | None = None, *, items: bool = False,
                          item_id: str | None = None, agent_name: str | None = None) -> str:
        """Project-level conversations, or (``agent_name``) those under the agent's own endpoint."""
        url = f"{self.url}/openai/v1/conversations"
        if agent_name is not None:
            url = f"{self.url}/agents/{_segment(agent_name, 'agent_name')}/endpoint/protocols/openai/conversations"
        if conversation_id is not None:
            url += f"/{_segment(conversation_id, 'conversation_id')}"
            if items or item_id is not None:
                url += "/items"
            if item_id is not None:
                url += f"/{_segment(item_id, 'item_id')}"
        return url if agent_name is None else f"{url}?api-version={AGENTS_API_VERSION}"

    def agents_url(self, name: str | None = None, *, versions: bool = False,
                   version: str | None = None) -> str:
        url = f"{self.url}/agents"
        if name is not None:
            url += f"/{_segment(name, 'agent name')}"
            if versions or version is not None:
                url += "/versions"
            if version is not None:
                url += f"/{_segment(version, 'agent version')}"
        return f"{url}?api-version={AGENTS_API_VERSION}"

    def files_url(self, file_id: str | None = None, *, content: bool = False, preview: bool = False) -> str:
        """``/openai/v1/files[/{id}[/content]]`` (``preview``: ``/openai/files...?api-version=...``)."""
        return self._openai(_path("files", file_id, "file_id", content), preview)

    def container_files_url(self, container_id: str, file_id: str | None = None, *, content: bool = False,
                            preview: bool = False) -> str:
        """``/openai/v1/containers/{cid}/files[/{fid}[/content]]`` (``preview`` as for :meth:`files_url`)."""
        path = f"containers/{_segment(container_id, 'container_id')}/" + _path("files", file_id, "file_id", content)
        return self._openai(path, preview)

    def _openai(self, path: str, preview: bool) -> str:
        if preview:
            return f"{self.url}/openai/{path}?api-version={PREVIEW_API_VERSION}"
        return f"{self.url}/openai/v1/{path}"

    def input_items_url(self, response_id: str) -> str:
        return self.response_url(response_id, "/input_items")

    def sessions_url(self, agent_name: str, session_id: str | None = None, suffix: str = "") -> str:
        """A hosted agent's sessions, under its endpoint (``suffix`` e.g. ``":stop"``)."""
        url = f"{self.url}/agents/{_segment(agent_name, 'agent name')}/endpoint/sessions"
        if session_id is not None:
            url += f"/{_segment(session_id, 'session_id')}{suffix}"
        return f"{url}?api-version={AGENTS_API_VERSION}"

    @property
    def is_loopback(self) -> bool:
        host = urlsplit(self.url).hostname or ""
        return _is_loopback(host)

    def __str__(self) -> str:
        return self.url


def resolve_endpoint(value: str | ProjectEndpoint | None) -> ProjectEndpoint:
    """The endpoint given, else ``FOUNDRY_PROJECT_ENDPOINT``, else ``AZURE_AI_PROJECT_ENDPOINT``."""
    if isinstance(value, ProjectEndpoint):
        return value
    if value is None:
        for var in ENDPOINT_ENV_VARS:
            if os.environ.get(var):
                value = os.environ[var]
                break
        else:
            raise InvalidEndpointError(
                "no project endpoint: pass project_endpoint=... or set FOUNDRY_PROJECT_ENDPOINT "
                f"(or AZURE_AI_PROJECT_ENDPOINT) to {EXPECTED_SHAPE}. To try things offline, run "
                "`foundry-agents emulator` and use the endpoint it prints."
            )
    return ProjectEndpoint.parse(value)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _path(collection: str, item: str | None, what: str, content: bool) -> str:
    path = collection if item is None else f"{collection}/{_segment(item, what)}"
    return f"{path}/content" if content and item is not None else path


def _segment(value: str, what: str) -> str:
    """``value`` as exactly one URL path segment: percent-encoded, never ``.``/``..`` or empty.

    The second layer behind the callers' own id checks: whatever the string, it can only name
    the resource the route is for (``/``, ``?``, ``#``, ``%`` are encoded; dot segments refused,
    since URL normalisation would climb to the parent resource).
    """
    if not isinstance(value, str) or value.strip(".") == "":
        raise FoundryConfigError(f"{what} {value!r} cannot be used in a URL path")
    return quote(value, safe="")
