"""JSON for the cache-hit path without the `json` package, whose import pulls in `re` and `enum`.

`loads` reads a document with CPython's own JSON scanner (the C accelerator `json` itself uses), so it accepts
exactly what `json.loads` accepts; `dumps_flat` writes a flat object of strings, integers, booleans and None byte
for byte as `json.dumps` does with its default separators. Where the accelerator is missing, both fall back to
`json`. Errors are ValueError (a document that is not JSON) or TypeError (a value `dumps_flat` does not write).
"""

from __future__ import annotations

_WHITESPACE = " \t\n\r"  # JSON's insignificant whitespace, as json.decoder skips it


class _Options:
    """What the C scanner reads from a decoder: json.loads' defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float  # NaN, Infinity, -Infinity: what json.loads makes of them
    memo: dict = {}


try:
    from _json import encode_basestring as _quote
    from _json import encode_basestring_ascii as _quote_ascii
    from _json import make_scanner as _make_scanner
except ImportError:  # another Python than CPython: the `json` package, slower to import but the same
    _make_scanner = None


def loads(data: bytes | str):
    """The value of one JSON document (bytes are UTF-8), as json.loads returns it."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if _make_scanner is None:
        import json

        return json.loads(text)
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        value, end = _make_scanner(_Options())(text, start)
    except StopIteration:
        raise ValueError("not a JSON document") from None
    if text[end:].strip(_WHITESPACE):
        raise ValueError("extra data after the JSON document")
    return value


def dumps_flat(mapping, ensure_ascii: bool = True) -> str:
    """json.dumps(mapping, ensure_ascii=ensure_ascii) for an object whose values are str, int, bool or None."""
    if _make_scanner is None:
        import json

        return json.dumps(dict(mapping), ensure_ascii=ensure_ascii)
    quote = _quote_ascii if ensure_ascii else _quote
    parts = []
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise TypeError(f"a key of type {type(key).__name__}")
        if value is None:
            text = "null"
        elif value is True:
            text = "true"
        elif value is False:
            text = "false"
        elif isinstance(value, str):
            text = quote(value)
        elif isinstance(value, int):
            text = int.__repr__(value)
        else:
            raise TypeError(f"a value of type {type(value).__name__}")
        parts.append(quote(key) + ": " + text)
    return "{" + ", ".join(parts) + "}"
