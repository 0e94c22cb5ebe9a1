"""Customer-facing handoff texts: the bot's domain.yml responses (one place to edit wording),
read like the notifier reads them. A missing response is a configuration error."""
from __future__ import annotations

import string
from pathlib import Path

from backend.notifications.wording import load_responses


class _KeepUnknown(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(domain_path: Path, name: str, **values: object) -> str:
    """The first text variant of response `name`, with {slots} filled like Rasa fills them."""
    variants = load_responses(domain_path).get(name)
    texts = [v["text"] for v in variants or [] if isinstance(v, dict) and v.get("text")]
    if not texts:
        raise LookupError(f"{domain_path} has no text response {name!r}")
    return string.Formatter().vformat(texts[0], (), _KeepUnknown(values))
