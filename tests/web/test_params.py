"""Form and query parameters as Rails reads them: lists, objects, and lists inside objects."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import FormData, QueryParams

from social.web.params import multi_to_dict


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("a[]=1&a[]=2", {"a": ["1", "2"]}),
        ("a=1&a=2", {"a": ["1", "2"]}),
        ("source[note]=x&source[privacy]=y", {"source": {"note": "x", "privacy": "y"}}),
        (
            "poll[options][]=yes&poll[options][]=no&poll[expires_in]=300&poll[multiple]=true",
            {"poll": {"options": ["yes", "no"], "expires_in": "300", "multiple": "true"}},
        ),
        ("a[b][c][]=1&a[b][d]=2", {"a": {"b": {"c": ["1"], "d": "2"}}}),
        ("poll[options]=yes&poll[options]=no", {"poll": {"options": ["yes", "no"]}}),
        # a name already a value, a list or an object keeps what came first
        ("a=1&a[b]=2", {"a": "1"}),
        ("a[]=1&a[b]=2", {"a": ["1"]}),
        ("a[b]=2&a[b][]=3", {"a": {"b": "2"}}),
        # not shaped as brackets: a plain name
        ("[x]=1", {"[x]": "1"}),
        ("a[b=1", {"a[b": "1"}),
        ("a[][b]=1", {"a[][b]": "1"}),
    ],
)
def test_brackets_nest(query: str, expected: dict[str, Any]) -> None:
    assert multi_to_dict(QueryParams(query)) == expected


def test_a_form_nests_as_a_query_does() -> None:
    form = FormData([("poll[options][]", "a"), ("poll[options][]", "b"), ("status", "q")])
    assert multi_to_dict(form) == {"poll": {"options": ["a", "b"]}, "status": "q"}
