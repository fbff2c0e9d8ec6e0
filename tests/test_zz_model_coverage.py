"""Every response the suite received was checked against botocore's model as it
arrived (tests/shapes.py). This file runs last: it proves the checker can fail, and
that the suite exercised every registered action's success path through boto3."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.session import get_session

import emulator.app  # noqa: F401  (registers every handler of both services)
from emulator.api import REGISTRIES

from .shapes import ResponseRecorder, check_response

MODEL = get_session().get_service_model("cognito-idp")
IDENTITY_MODEL = get_session().get_service_model("cognito-identity")


def test_checker_rejects_unknown_members_wrong_types_and_unlisted_errors() -> None:
    op = MODEL.operation_model("AdminGetUser")
    good = b'{"Username":"a","UserAttributes":[],"Enabled":true,"UserStatus":"CONFIRMED"}'
    assert check_response(op, 200, good) == []
    assert check_response(op, 200, b'{"Username":"a","Extra":1}')
    assert check_response(op, 200, b'{"Username":"a","Enabled":"yes"}')
    assert check_response(op, 200, b'{"UserAttributes":[]}')  # Username is required
    assert check_response(op, 400, b'{"__type":"UserNotFoundException","message":"x"}') == []
    assert check_response(op, 400, b'{"__type":"GroupExistsException","message":"x"}')
    assert check_response(op, 400, b'{"__type":"UserNotFoundException"}')


def test_suite_exercised_every_registered_action(request: pytest.FixtureRequest) -> None:
    modules = {Path(str(item.fspath)).name for item in request.session.items}
    everything = {p.name for p in Path(__file__).parent.glob("test_*.py")}
    if modules != everything:
        pytest.skip("coverage of actions is judged only when the whole suite runs")
    seen = ResponseRecorder.instance().seen
    for service, registry in REGISTRIES.items():
        succeeded = {op for (svc, op, outcome) in seen if outcome == "ok" and svc == service}
        assert set(registry) - succeeded == set(), service


def test_checker_knows_identity_pools_shapes_and_errors() -> None:
    op = IDENTITY_MODEL.operation_model("GetCredentialsForIdentity")
    good = (b'{"IdentityId":"us-east-1:x","Credentials":{"AccessKeyId":"ASIA","SecretKey":"s",'
            b'"SessionToken":"t","Expiration":1.5}}')
    assert check_response(op, 200, good) == []
    assert check_response(op, 200, b'{"IdentityId":"us-east-1:x","Credentials":{"Expiration":"soon"}}')
    assert check_response(op, 400, b'{"__type":"InvalidIdentityPoolConfigurationException","message":"x"}') == []
    assert check_response(op, 400, b'{"__type":"UserNotFoundException","message":"x"}')
