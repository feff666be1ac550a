"""Bytes → text for every text-like input: UTF-8/16/32, GB18030/GBK, or detected."""

from __future__ import annotations

import codecs

from reviewer.errors import InputError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it shares the prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# C0 control bytes that never appear in text (tab, newlines, form feed, Ctrl-Z and ESC do).
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1A, 0x1B}
_CONTROL_BYTES_DELETE = bytes(sorted(_CONTROL_BYTES))  # for counting them with bytes.translate
_MAX_CONTROL_RATIO = 0.01


def decode(data: bytes, name: str = "input") -> str:
    """Decode text bytes; newlines become "\\n" and NUL characters are dropped.

    Order: a BOM if present, strict UTF-8, strict GB18030 (a superset of GBK
    and GB2312), UTF-16 without BOM, then charset-normalizer's best guess.
    Binary data raises InputError.
    """
    text = _decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.removeprefix("\ufeff")


def _decode(data: bytes, name: str) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                raise InputError(f"{name}：文本编码标记与内容不符，请另存为 UTF-8 后重试（not valid {codec}）") from None
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if _looks_binary(data):
        raise InputError(f"{name}：不是文本或支持的文档格式（looks like a binary file）")
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{name}：无法识别文本编码，请另存为 UTF-8 后重试（cannot tell the text encoding）")
    return str(best)


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536].rstrip(b"\x00")  # trailing NUL padding is harmless
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES_DELETE))
    # A stray NUL or two in a short text is damage to strip, not a sign of binary.
    return controls > 2 and controls / len(sample) > _MAX_CONTROL_RATIO


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a BOM: mostly-ASCII text has NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        codec = "utf-16-le"
    elif even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    # A real text decodes to printable characters; binary decodes to controls.
    controls = sum(1 for ch in text[:2048] if ord(ch) in _CONTROL_BYTES)
    return text if controls <= _MAX_CONTROL_RATIO * min(len(text), 2048) else None
