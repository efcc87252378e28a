"""Schemathesis against /schema: generated requests to every API operation, a bounded number per operation,
never answer 5xx and always answer what the schema says (with a real token, database and Redis)."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from photonix.config import Settings
from photonix.web.app import create_app
from tests.web.conftest import Member

EXAMPLES_PER_OPERATION = 30
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def fuzzed_app(settings: Settings, clean: None) -> Litestar:
    # Schemathesis runs the app (and its startup) in an event loop of its own: a fresh app for it alone.
    return create_app(settings, owns_database=False)


def test_generated_api_requests_never_answer_5xx_and_match_the_schema(fuzzed_app, alice: Member) -> None:
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", fuzzed_app, headers=alice.auth)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/photos", "/api/v1/photos/{photo_id}"}
    for operation in operations:

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                             derandomize=True, suppress_health_check=list(HealthCheck))
        def answers_within_the_schema(case: schemathesis.Case) -> None:
            response = case.call(headers=alice.auth)
            case.validate_response(response, checks=CHECKS)

        answers_within_the_schema()
