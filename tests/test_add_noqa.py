"""--add-noqa: comments on the finding's line, merged with existing noqa, never in a string."""

from __future__ import annotations

import ast

import pytest

from unbounded_lint.add_noqa import NOQA_REGEX, add_noqa, add_noqa_result
from unbounded_lint.types import Finding


def f(line, code="UBL001", column=1):
    return Finding(path="m.py", line=line, column=column, end_line=line, end_column=column + 5, code=code,
                   message="m")


def test_appends_comment():
    src = "class A:\n    def f(self, v):\n        self.x.append(v)\n"
    assert add_noqa(src, [f(3)]) == "class A:\n    def f(self, v):\n        self.x.append(v)  # noqa: UBL001\n"


def test_several_codes_on_one_line_sorted_and_deduplicated():
    src = "x.pop(0); y.append(1)\n"
    result = add_noqa_result(src, [f(1, "UBL004"), f(1, "UBL001"), f(1, "UBL001", column=11)])
    assert result.source == "x.pop(0); y.append(1)  # noqa: UBL001, UBL004\n"
    assert (result.added, result.skipped) == (1, 0)


def test_merges_with_existing_codes():
    src = "a.append(1)  # noqa: E501\nb.append(1)  # noqa:E501,W291 why\nc.append(1)  # NOQA: F401 E501\n"
    assert add_noqa(src, [f(1), f(2), f(3)]) == (
        "a.append(1)  # noqa: E501, UBL001\n"
        "b.append(1)  # noqa:E501,W291, UBL001 why\n"
        "c.append(1)  # NOQA: F401 E501, UBL001\n"
    )


def test_code_already_listed_is_not_repeated():
    src = "a.append(1)  # noqa: UBL001\nb.append(1)  # noqa: E501, UBL001\n"
    result = add_noqa_result(src, [f(1), f(2), f(2, "UBL004")])
    assert result.source == "a.append(1)  # noqa: UBL001\nb.append(1)  # noqa: E501, UBL001, UBL004\n"
    assert result.added == 1


def test_bare_noqa_needs_nothing():
    src = "a.append(1)  # noqa\nb.append(1)  #noqa\n"
    result = add_noqa_result(src, [f(1), f(2)])
    assert result.source == src
    assert (result.added, result.skipped) == (0, 0)


def test_other_comment_is_kept():
    src = "a.append(1)   # keep me  \n"
    assert add_noqa(src, [f(1)]) == "a.append(1)   # keep me  # noqa: UBL001\n"


def test_trailing_whitespace_dropped_before_new_comment():
    assert add_noqa("a.append(1)   \t\n", [f(1)]) == "a.append(1)  # noqa: UBL001\n"


def test_crlf_preserved():
    src = "import x\r\nclass A:\r\n    def f(self):\r\n        self.x.append(1)\r\n"
    out = add_noqa(src, [f(4)])
    assert out == "import x\r\nclass A:\r\n    def f(self):\r\n        self.x.append(1)  # noqa: UBL001\r\n"
    assert out.count("\r\n") == 4 and out.replace("\r\n", "").count("\n") == 0


def test_mixed_newlines_and_no_final_newline_preserved():
    src = "a = 1\r\nb.append(1)\nc.append(2)"
    assert add_noqa(src, [f(2), f(3)]) == "a = 1\r\nb.append(1)  # noqa: UBL001\nc.append(2)  # noqa: UBL001"


def test_never_inside_a_multiline_string():
    src = (
        'x = """\n'
        "text\n"
        '""".join(self.parts.append(1))\n'
        "self.y.append('''a\n"
        "b''')\n"
    )
    result = add_noqa_result(src, [f(1), f(2), f(3), f(4), f(5)])
    assert result.source == (
        'x = """\n'
        "text\n"
        '""".join(self.parts.append(1))  # noqa: UBL001\n'
        "self.y.append('''a\n"
        "b''')  # noqa: UBL001\n"
    )
    assert (result.added, result.skipped) == (2, 3)
    ast.parse(result.source)


def test_multiline_fstring_skipped():
    src = 'self.log.append(f"""{x}\n{y}""")\n'
    result = add_noqa_result(src, [f(1)])
    assert result.source == src and result.skipped == 1


def test_multiline_statement_first_line_gets_the_comment():
    src = "self.items.append(\n    compute(a,\n            b)\n)\n"
    out = add_noqa(src, [f(1)])
    assert out == "self.items.append(  # noqa: UBL001\n    compute(a,\n            b)\n)\n"
    ast.parse(out)
    # a finding on an inner line of the bracketed statement is fine too
    assert add_noqa(src, [f(2)]).splitlines()[1] == "    compute(a,  # noqa: UBL001"


def test_backslash_continuation_skipped():
    src = "self.total = self.total + \\\n    [x]\n"
    result = add_noqa_result(src, [f(1)])
    assert result.source == src and result.skipped == 1
    # but a comment that ends with a backslash is not a continuation
    src2 = "self.x.append(1)  # see C:\\\n"
    assert add_noqa(src2, [f(1)]) == "self.x.append(1)  # see C:\\  # noqa: UBL001\n"


def test_hash_inside_string_is_not_a_comment():
    src = "self.x.append('# noqa')\n"
    assert add_noqa(src, [f(1)]) == "self.x.append('# noqa')  # noqa: UBL001\n"


def test_missing_line_is_skipped():
    result = add_noqa_result("a = 1\n", [f(5)])
    assert result.source == "a = 1\n" and result.skipped == 1


def test_untokenizable_source_is_unchanged():
    src = "x = (\n"
    result = add_noqa_result(src, [f(1)])
    assert result.source == src and result.skipped == 1


def test_no_findings():
    assert add_noqa("a = 1\n", []) == "a = 1\n"


def test_idempotent():
    src = "a.append(1)\nb.append(2)  # noqa: E501\n"
    once = add_noqa(src, [f(1), f(2)])
    assert add_noqa(once, [f(1), f(2)]) == once


def test_unicode_columns():
    src = "s = 'é'; self.x.append(s)  # noqa: E501\n"
    assert add_noqa(src, [f(1)]) == "s = 'é'; self.x.append(s)  # noqa: E501, UBL001\n"


def test_tabs_and_form_feed_kept():
    src = "\f\nclass A:\n\tdef f(self):\n\t\tself.x.append(1)\n"
    assert add_noqa(src, [f(4)]) == "\f\nclass A:\n\tdef f(self):\n\t\tself.x.append(1)  # noqa: UBL001\n"


@pytest.mark.parametrize(
    "comment,codes",
    [("# noqa", None), ("# noqa: UBL001", "UBL001"), ("#noqa:UBL001,UBL004", "UBL001,UBL004"),
     ("# NoQA: E501 W291", "E501 W291")],
)
def test_noqa_regex(comment, codes):
    match = NOQA_REGEX.search(comment)
    assert match is not None and match.group("codes") == codes
