"""The JSON-schema grammar: llama-cpp-python's string rule is made strict (no raw control characters),
and a grammar of a form we do not know is a loud error, never a quiet no-op."""

from __future__ import annotations

import json

import pytest
from llama_cpp.llama_grammar import json_schema_to_gbnf

from bot.answering.llm import GrammarPatchError, strict_json_strings

WITH_STRINGS = {"type": "object", "properties": {"titel": {"type": "string"},
                                                 "punten": {"type": "array", "items": {"type": "string"}}}}


def gbnf(schema: dict) -> str:
    return json_schema_to_gbnf(json.dumps(schema))


def test_the_installed_llama_cpp_python_writes_the_string_rule_we_patch():
    grammar = gbnf(WITH_STRINGS)
    patched = strict_json_strings(grammar)
    assert 'char ::= [^"\\\\]' in grammar  # what this llama-cpp-python writes
    assert 'char ::= [^"\\\\\\x7F\\x00-\\x1F]' in patched
    assert 'char ::= [^"\\\\]' not in patched
    assert patched.replace('\\x7F\\x00-\\x1F', '') == grammar  # nothing else changed


def test_a_free_form_object_schema_is_patched_too():
    assert 'char ::= [^"\\\\\\x7F\\x00-\\x1F]' in strict_json_strings(gbnf({"type": "object"}))


def test_a_grammar_without_free_strings_stays_as_it_is():
    numbers_and_choices = {"type": "object", "properties": {"aantal": {"type": "integer"},
                                                            "taal": {"enum": ["nl", "en"]}}}
    grammar = gbnf(numbers_and_choices)
    assert strict_json_strings(grammar) == grammar


@pytest.mark.parametrize("changed", [
    # the rule written another way (e.g. a later llama-cpp-python)
    lambda g: g.replace('char ::= [^"\\\\]', 'char ::= [^"\\\\\\n]'),
    # the rule renamed: the loose class is still there, under a name we do not patch
    lambda g: g.replace("char", "chr"),
])
def test_a_string_rule_of_an_unknown_form_is_a_loud_error(changed):
    grammar = changed(gbnf(WITH_STRINGS))
    with pytest.raises(GrammarPatchError, match="onbekende vorm"):
        strict_json_strings(grammar)
