"""Bytes to text: UTF-8, else the commonest legacy news encodings, with a warning saying which."""

from __future__ import annotations

from pathlib import Path


def decode(data: bytes, path: Path) -> tuple[str, str | None]:
    """UTF-8 (with or without BOM); otherwise Windows-1252, the commonest legacy news encoding."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), f"{path}: not UTF-8, read as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"{path}: not UTF-8, read as Latin-1"
