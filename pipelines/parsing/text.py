"""Decoding delivered files without being told their encoding."""

from __future__ import annotations

import codecs
from dataclasses import dataclass


class UnreadableFile(Exception):
    """The file is not text we can read (binary, unknown encoding, empty)."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode_bytes(data: bytes) -> DecodedText:
    """UTF-8 (with/without BOM), UTF-16 with BOM, else Windows-1252.

    Windows-1252 is tried last because every byte sequence that is valid UTF-8 is
    almost never meant as 1252, while the reverse is common (`ü` = 0xFC).
    """
    if data.startswith(codecs.BOM_UTF8):
        enc, body = "utf-8-sig", data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return DecodedText(_normalise(data.decode("utf-16")), "utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"UTF-16-Datei nicht lesbar: {exc}") from exc
    else:
        enc, body = "utf-8", data
    if b"\x00" in body:
        raise UnreadableFile(
            "Datei enthält Nullbytes: keine Textdatei (binär oder UTF-16 ohne BOM)"
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        if enc == "utf-8-sig":
            raise UnreadableFile(
                "Datei beginnt mit UTF-8-BOM, ist aber kein gültiges UTF-8"
            ) from None
        try:
            text = body.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                "Kodierung weder UTF-8 noch Windows-1252 (Byte "
                f"0x{body[exc.start]:02X} an Position {exc.start})"
            ) from None
        enc = "cp1252"
    if "\ufeff" in text:
        # a BOM in the middle: files concatenated by hand; drop it, it carries no data
        text = text.replace("\ufeff", "")
    return DecodedText(_normalise(text), enc)


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
