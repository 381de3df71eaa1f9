"""Reads token usage from model responses: OpenAI-compatible chat completions and responses (OpenAI, Azure OpenAI,
OpenRouter, Gemini's OpenAI endpoint) and Anthropic messages, whole or streamed.

Counts are made disjoint on the way, as Tollgate wants them: OpenAI's cached tokens (and OpenRouter's cache writes)
leave the prompt count and its reasoning tokens leave the completion count. Anthropic's input_tokens already exclude
cache reads and writes.
"""

from __future__ import annotations

import json
from typing import Any


def _number(obj: Any, *path: str) -> int:
    for name in path:
        if not isinstance(obj, dict) or name not in obj:
            return 0
        obj = obj[name]
    return obj if isinstance(obj, int) and not isinstance(obj, bool) else 0


def _text(obj: dict[str, Any], name: str) -> str | None:
    value = obj.get(name)
    return value if isinstance(value, str) and value else None


class UsageReader:
    """Accumulates what one response says; later events restate totals, so values replace."""

    def __init__(self) -> None:
        self.id: str | None = None
        self.model: str | None = None
        self.provider: str | None = None
        self.input = self.output = self.cached = self.cache_write = self.cache_write_1h = self.reasoning = 0
        self.saw_usage = False

    def read_json(self, body: bytes) -> None:
        try:
            self._read(json.loads(body))
        except ValueError:
            pass

    def read_event(self, data: str) -> None:
        """One server-sent event's data."""
        if not data or data == "[DONE]":
            return
        try:
            root = json.loads(data)
        except ValueError:
            return
        if not isinstance(root, dict):
            return
        kind = root.get("type")
        # Anthropic streams: the message and its first usage in message_start, cumulative usage in message_delta.
        if kind == "message_start" and isinstance(root.get("message"), dict):
            self._read(root["message"])
        elif kind == "message_delta" and isinstance(root.get("usage"), dict):
            self._anthropic(root["usage"])
        elif kind == "response.completed" and isinstance(root.get("response"), dict):
            self._read(root["response"])
        else:
            self._read(root)

    def _read(self, root: Any) -> None:
        if not isinstance(root, dict):
            return
        # Azure's content-filter frames carry an empty id and model, some after the usage chunk: keep the real ones.
        self.id = _text(root, "id") or self.id
        self.model = _text(root, "model") or self.model
        usage = root.get("usage")
        if not isinstance(usage, dict):
            return
        if "prompt_tokens" in usage:
            self.provider = self.provider or "openai"
            cached = _number(usage, "prompt_tokens_details", "cached_tokens")
            cache_write = _number(usage, "prompt_tokens_details", "cache_write_tokens")
            reasoning = _number(usage, "completion_tokens_details", "reasoning_tokens")
            self._set(_number(usage, "prompt_tokens") - cached - cache_write, _number(usage, "completion_tokens") - reasoning,
                      cached, cache_write, reasoning)
        elif "input_tokens_details" in usage or "output_tokens_details" in usage:
            self.provider = self.provider or "openai"
            cached = _number(usage, "input_tokens_details", "cached_tokens")
            reasoning = _number(usage, "output_tokens_details", "reasoning_tokens")
            self._set(_number(usage, "input_tokens") - cached, _number(usage, "output_tokens") - reasoning, cached, 0, reasoning)
        else:
            self._anthropic(usage)

    def _anthropic(self, usage: dict[str, Any]) -> None:
        self.provider = self.provider or "anthropic"
        if "input_tokens" in usage:
            self.input = _number(usage, "input_tokens")
        if "output_tokens" in usage:
            self.output = _number(usage, "output_tokens")
        if "cache_read_input_tokens" in usage:
            self.cached = _number(usage, "cache_read_input_tokens")
        if "cache_creation_input_tokens" in usage:
            self.cache_write = _number(usage, "cache_creation_input_tokens")
        # The part of those writes kept for an hour (ttl "1h"), which bills at twice the input rate, not 1.25 times.
        if isinstance(usage.get("cache_creation"), dict) and "ephemeral_1h_input_tokens" in usage["cache_creation"]:
            self.cache_write_1h = _number(usage, "cache_creation", "ephemeral_1h_input_tokens")
        self.saw_usage = True

    def _set(self, input: int, output: int, cached: int, cache_write: int, reasoning: int) -> None:
        self.input, self.output, self.cached, self.cache_write, self.reasoning = input, output, cached, cache_write, reasoning
        self.saw_usage = True
