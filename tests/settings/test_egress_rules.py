"""Egress rules' own checks (settings/egress_rules.py): HTTP path patterns in RE2 syntax."""

from __future__ import annotations

import pytest

from settings.egress_rules import re2_problem


@pytest.mark.parametrize(
    ("pattern", "named"),
    [
        ("/a(?!b)", "a negative lookahead (?!...)"),
        ("/a(?=b)", "a lookahead (?=...)"),
        ("/a(?<=b)", "a lookbehind (?<=...)"),
        ("/a(?<!b)", "a negative lookbehind (?<!...)"),
        ("/(a)\\1", "a backreference \\1"),
        ("/a\\Z", "\\Z (use $ or \\z)"),
        ("/a++", "a possessive quantifier ++"),
        ("/a(?>b)", "an atomic group (?>...)"),
    ],
)
def test_perl_only_constructs_are_refused_by_name(pattern, named):
    assert re2_problem(pattern) == f"uses {named}, which Cilium's proxy (Envoy, RE2 syntax) does not support"


@pytest.mark.parametrize("pattern", ["/metadata/.*", "/metadata/identity/oauth2/token", "/v[0-9]+/.*", "/a{2,3}", "/(?i)abc"])
def test_re2_patterns_pass(pattern):
    assert re2_problem(pattern) == ""


def test_a_broken_pattern_gives_re2s_reason():
    assert re2_problem("/[z-a]") == "is not a valid RE2 regular expression, the syntax Cilium's proxy (Envoy) uses: invalid character class range: z-a"

