"""Every operation of `/openapi.json`, fuzzed by schemathesis against a live, seeded server:
no 5xx, and every response (status, content type, body) is what the document declares; input
the document forbids is refused with a 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from social.app import all_routes
from social.config import Settings
from social.web import openapi
from tests.fuzz.conftest import World

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Per operation and per test; the two tests together stay well under a minute on every backend.
MAX_EXAMPLES = 30
# Path segments a hand-written client or a scanner sends, tried on every path parameter.
ODD_SEGMENTS = [
    "0",
    "-1",
    "9223372036854775807",
    "9223372036854775808",
    "1" * 40,
    "1" * 5000,
    "²",
    "١٢",
    "1.5",
    " 1",
    "\x00",
    "%",
    "é",
    "a" * 300,
]

Case = schemathesis.Case[Any]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 7,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",  # no .hypothesis directory in the repository
            "with-security-parameters": False,  # the tests send a token, or none
        },
        "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False}},
        # Any 4xx refuses bad input; schemathesis' default list lacks 413 (a body over the limit).
        "checks": {"negative_data_rejection": {"expected-statuses": ["4xx"]}},
    }
)
SCHEMA = schemathesis.openapi.from_dict(
    openapi.build(all_routes(), title=Settings().title), config=CONFIG
)


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def test_the_fuzzed_document_is_the_served_one(world: World, http: requests.Session) -> None:
    served = http.get(f"{world.url}/openapi.json")
    assert served.status_code == 200
    assert served.json() == SCHEMA.raw_schema


def aim(case: Case, world: World, data: st.DataObject) -> None:
    """Half the time, the path parameters name something that exists."""
    known = world.targets(case.method, case.path)
    if not known or not data.draw(st.booleans()):
        return
    case.path_parameters = {k: data.draw(st.sampled_from(v)) for k, v in known.items()}


@SCHEMA.parametrize()
@SCHEMA.given(data=st.data())
def test_as_an_admin_with_every_scope(
    case: Case, data: st.DataObject, world: World, http: requests.Session
) -> None:
    aim(case, world, data)
    case.call_and_validate(base_url=world.url, session=http, headers=world.auth, checks=CHECKS)


@SCHEMA.parametrize()
@SCHEMA.given(data=st.data())
def test_anonymously(case: Case, data: st.DataObject, world: World, http: requests.Session) -> None:
    aim(case, world, data)
    case.call_and_validate(base_url=world.url, session=http, checks=CHECKS)


WITH_PATH_PARAMETERS = [
    (method.upper(), path)
    for path, operations in SCHEMA.raw_schema["paths"].items()
    for method in operations
    if "{" in path
]


@pytest.mark.parametrize(("method", "path"), WITH_PATH_PARAMETERS)
def test_odd_path_segments(method: str, path: str, world: World, http: requests.Session) -> None:
    operation = SCHEMA[path][method]
    names = [p.name for p in operation.path_parameters]
    for segment in ODD_SEGMENTS:
        case = operation.Case(path_parameters=dict.fromkeys(names, segment))
        response = case.call_and_validate(
            base_url=world.url, session=http, headers=world.auth, checks=CHECKS[:-1]
        )
        assert response.status_code in (200, 404), (segment, response.status_code)
