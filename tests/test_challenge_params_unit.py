"""The JSON-valued challenge parameters, unit by unit: compact, as Cognito writes them
(`{"email":"a@example.com"}`), where a space would break clients that compare text."""

from __future__ import annotations

from emulator.attributes import build_schema
from emulator.records import Pool, User
from emulator.signin.core import new_password_parameters


def test_new_password_parameters_are_compact_json() -> None:
    schema = build_schema([{"Name": "name", "Required": True}, {"Name": "family_name", "Required": True}])
    pool = Pool(id="us-east-1_unit", name="unit", created=0.0, modified=0.0, config={"SchemaAttributes": schema})
    user = User(pool_id=pool.id, username="nina", sub="s-1", status="FORCE_CHANGE_PASSWORD", enabled=True,
                created=0.0, modified=0.0, attributes={"email": "nina@example.com", "email_verified": "true"})
    params = new_password_parameters(pool, user)
    assert params["requiredAttributes"] == '["userAttributes.name","userAttributes.family_name"]'
    assert params["userAttributes"] == '{"email":"nina@example.com","email_verified":"true"}'
