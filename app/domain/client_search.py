"""Finding clients by name as the therapist types: case- and accent-insensitive ("zoe" finds "Zoë")."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from app.domain.records import Client


def fold(text: str) -> str:
    """Lower case without accents, for comparing names: "Zoë Ñúñez" -> "zoe nunez"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def matches(client: Client, query: str) -> bool:
    """Every word of the query starts some word of the name, in any order ("ana ex" finds "Ana Example")."""
    words = fold(client.name).split()
    return all(any(word.startswith(part) for word in words) for part in fold(query).split())


def search_clients(clients: Iterable[Client], query: str) -> list[Client]:
    """The clients whose name matches, sorted by name as folded; every client for a blank query."""
    return sorted((client for client in clients if matches(client, query)), key=lambda c: (fold(c.name), c.id))
