"""Which character set a downloaded page is in: header, then the document's own declaration,
then UTF-8 (with replacement characters). The choice and how it was made are recorded."""

from __future__ import annotations

import codecs
import re

_HEADER = re.compile(r";\s*charset\s*=\s*[\"']?([^\s\"';]+)", re.I)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.I)
_META = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_SINGLE_BYTE = frozenset(
    codecs.lookup(name).name for name in ("ascii", "latin-1", "iso-8859-15", "cp1252", "iso-8859-2", "cp1250")
)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    text = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        return codecs.lookup(text.strip().lower()).name
    except LookupError:
        return None


def _decodes(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_charset(body: bytes, content_type: str | None) -> tuple[str, str]:
    """(codec name, how it was chosen): "bom", "header", "declaration", "utf-8", "utf-8-replace"."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, "bom"
    header_match = _HEADER.search(content_type or "")
    header = _codec(header_match.group(1)) if header_match else None
    head = body[:4096]
    declared_match = _XML_DECL.match(head) or _META.search(head)
    declared = _codec(declared_match.group(1)) if declared_match else None
    utf8_ok = _decodes(body, "utf-8")
    if header:
        # Servers labelling everything ISO-8859-1 are common; a valid multi-byte UTF-8 body is
        # near-impossible in real Latin-1 text, so the body's own evidence wins.
        if header in _SINGLE_BYTE and utf8_ok and not body.isascii() and declared in (None, "utf-8"):
            return "utf-8", "utf-8 (header said " + header + ")"
        if _decodes(body, header):
            return header, "header"
    if declared and _decodes(body, declared):
        return declared, "declaration"
    if utf8_ok:
        return "utf-8", "utf-8"
    return "utf-8", "utf-8-replace"
