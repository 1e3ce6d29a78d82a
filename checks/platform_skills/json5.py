"""A small JSON5 reader: what Renovate's ``renovate.json5`` (and its JSON files) may hold.

JSON5 adds comments, trailing commas, unquoted keys, single-quoted strings and a few number
forms to JSON. Objects come back as ``Object`` (a dict that also knows the line of each
key), so evidence can point at the line that says ``"extends"``. Errors name their line.
"""

import re

MAX_DEPTH = 200  # deeper nesting is hostile input, not configuration

_NUMBER = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|Infinity|NaN|"
                     r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "0": "\0"}
_SPACE = " \t\n\r\v\f\u00a0\u2028\u2029\ufeff"
_WORDS = {"true": True, "false": False, "null": None}


class JSON5Error(ValueError):
    def __init__(self, message, line):
        super().__init__(f"line {line}: {message}")
        self.line = line


class Object(dict):
    """A JSON5 object; ``lines`` maps each key to the line it is written on."""

    __slots__ = ("lines",)

    def __init__(self):
        super().__init__()
        self.lines = {}


def loads(text):
    """The value ``text`` holds; ``JSON5Error`` when it is not JSON5."""
    reader = _Reader(text)
    value = reader.value(0)
    reader.skip()
    if reader.pos != len(text):
        reader.fail("unexpected text after the value")
    return value


class _Reader:
    __slots__ = ("text", "pos")

    def __init__(self, text):
        self.text = text
        self.pos = 0

    def line(self, pos=None):
        return self.text.count("\n", 0, self.pos if pos is None else pos) + 1

    def fail(self, message, pos=None):
        raise JSON5Error(message, self.line(pos))

    def skip(self):
        """Past whitespace and comments."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in _SPACE:
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    self.fail("unclosed comment")
                self.pos = end + 2
            else:
                return

    def value(self, depth):
        if depth > MAX_DEPTH:
            self.fail("nesting too deep")
        self.skip()
        if self.pos >= len(self.text):
            self.fail("unexpected end of text")
        char = self.text[self.pos]
        if char == "{":
            return self.object(depth)
        if char == "[":
            return self.array(depth)
        if char in "\"'":
            return self.string()
        word = _IDENTIFIER.match(self.text, self.pos)
        if word and word.group() in _WORDS:
            self.pos = word.end()
            return _WORDS[word.group()]
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            return _number(number.group())
        self.fail(f"unexpected character {char!r}")

    def object(self, depth):
        found = Object()
        self.pos += 1
        while True:
            self.skip()
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return found
            line = self.line()
            key = self.key()
            self.skip()
            if not self.text.startswith(":", self.pos):
                self.fail(f"expected ':' after the key {key!r}")
            self.pos += 1
            found[key] = self.value(depth + 1)
            found.lines[key] = line
            if not self.separator("}"):
                self.fail("expected ',' or '}' in an object")

    def array(self, depth):
        found = []
        self.pos += 1
        while True:
            self.skip()
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return found
            found.append(self.value(depth + 1))
            if not self.separator("]"):
                self.fail("expected ',' or ']' in an array")

    def separator(self, closing):
        """Past a ``,``; True when the container goes on or closes next."""
        self.skip()
        if self.text.startswith(",", self.pos):
            self.pos += 1
            return True
        return self.text.startswith(closing, self.pos)

    def key(self):
        if self.pos < len(self.text) and self.text[self.pos] in "\"'":
            return self.string()
        word = _IDENTIFIER.match(self.text, self.pos)
        if not word:
            self.fail("expected a key")
        self.pos = word.end()
        return word.group()

    def string(self):
        quote = self.text[self.pos]
        start = self.pos
        self.pos += 1
        out = []
        text = self.text
        while True:
            if self.pos >= len(text):
                self.fail("unclosed string", start)
            char = text[self.pos]
            if char == quote:
                self.pos += 1
                return "".join(out)
            if char == "\n":
                self.fail("line break inside a string", start)
            if char == "\\":
                self.pos += 1
                out.append(self.escape())
            else:
                out.append(char)
                self.pos += 1

    def escape(self):
        text = self.text
        if self.pos >= len(text):
            self.fail("unclosed string")
        char = text[self.pos]
        self.pos += 1
        if char in _ESCAPES:
            return _ESCAPES[char]
        if char == "\n":  # a line continuation
            return ""
        if char == "\r":
            if text.startswith("\n", self.pos):
                self.pos += 1
            return ""
        if char in "xu":
            size = 2 if char == "x" else 4
            digits = text[self.pos:self.pos + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                self.fail(f"bad \\{char} escape")
            self.pos += size
            return chr(int(digits, 16))
        return char


def _number(word):
    sign = -1 if word.startswith("-") else 1
    body = word.lstrip("+-")
    if body == "Infinity":
        return sign * float("inf")
    if body == "NaN":
        return float("nan")
    if body[:2] in ("0x", "0X"):
        return sign * int(body, 16)
    if any(c in body for c in ".eE"):
        return sign * float(body)
    return sign * int(body)
