"""Every request names the package, its version and the framework in use."""

import httpx

from foundry_agents import __version__

EP = "https://acme.services.ai.azure.com/api/projects/demo"
OK = {"id": "resp_1", "status": "completed", "output": []}


def capture():
    seen = []

    def handler(request):
        seen.append(request.headers["user-agent"])
        return httpx.Response(200, json=OK)

    return seen, httpx.Client(transport=httpx.MockTransport(handler))


def test_langchain_user_agent():
    from langchain_core import __version__ as lc

    from langchain_foundry_agents import ChatFoundryAgent

    seen, http = capture()
    ChatFoundryAgent("echo", project_endpoint=EP, api_key="k", http_client=http).invoke("hi")
    assert seen[0].startswith(f"foundry-agents/{__version__} ") and seen[0].endswith(f"langchain-core/{lc}")


def test_llama_index_user_agent():
    from importlib.metadata import version

    from llama_index_foundry import FoundryAgentLLM

    seen, http = capture()
    FoundryAgentLLM("echo", project_endpoint=EP, api_key="k", http_client=http).complete("hi")
    assert seen[0].startswith(f"foundry-agents/{__version__} ")
    assert seen[0].endswith(f"llama-index-core/{version('llama-index-core')}")
