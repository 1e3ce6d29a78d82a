"""The JSON5 reader Renovate configurations go through."""

import math

import pytest

from platform_skills.json5 import JSON5Error, loads


def test_json5_extras_and_key_lines():
    text = """// leading comment
{
  unquoted: 'single \\'quoted\\'',
  "quoted": [1, 2,], /* block
  comment */ hex: 0x1F,
  num: +.5, big: 1e3, neg: -Infinity,
  esc: "a\\u0041\\x42\\
c",
}
"""
    value = loads(text)
    assert value == {"unquoted": "single 'quoted'", "quoted": [1, 2], "hex": 31, "num": 0.5,
                     "big": 1000.0, "neg": -math.inf, "esc": "aABc"}
    assert value.lines == {"unquoted": 3, "quoted": 4, "hex": 5, "num": 6, "big": 6, "neg": 6,
                           "esc": 7}


def test_plain_json_reads_the_same():
    assert loads('{"a": {"b": [true, false, null, "x"]}}') == {"a": {"b": [True, False, None, "x"]}}


@pytest.mark.parametrize("text, message", [
    ('{"a": 1', "line 1: expected ',' or '}' in an object"),
    ('[1, ', "line 1: unexpected end of text"),
    ('{\n"a" 1}', "line 2: expected ':' after the key 'a'"),
    ('{"a": 1}\n{}', "line 2: unexpected text after the value"),
    ('{"a": "x\ny"}', "line 1: line break inside a string"),
    ('/* open', "line 1: unclosed comment"),
    ('{"a": nope}', "line 1: unexpected character 'n'"),
    ("[" * 500, "line 1: nesting too deep"),
])
def test_errors_name_their_line(text, message):
    with pytest.raises(JSON5Error) as caught:
        loads(text)
    assert str(caught.value) == message
