"""DescribeRiskConfiguration / SetRiskConfiguration with real boto3: threat protection's
settings for a pool, or for one app client over the pool's, as the API reference
describes them; refused with UserPoolAddOnNotEnabledException while threat protection
(UserPoolAddOns.AdvancedSecurityMode) is off."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveServer

COMPROMISED = {"EventFilter": ["SIGN_IN", "PASSWORD_CHANGE"], "Actions": {"EventAction": "BLOCK"}}
TAKEOVER = {
    "NotifyConfiguration": {"SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
                            "From": "security@example.com",
                            "BlockEmail": {"Subject": "Blocked", "TextBody": "We blocked a sign-in."}},
    "Actions": {"HighAction": {"Notify": True, "EventAction": "BLOCK"},
                "MediumAction": {"Notify": False, "EventAction": "MFA_REQUIRED"},
                "LowAction": {"Notify": False, "EventAction": "NO_ACTION"}},
}
EXCEPTIONS = {"BlockedIPRangeList": ["192.0.2.0/24"], "SkippedIPRangeList": ["10.0.0.0/8", "2001:db8::/32"]}


def protected_pool(cognito: Any, mode: str = "ENFORCED") -> str:
    return str(cognito.create_user_pool(PoolName="protected", UserPoolTier="PLUS",
                                        UserPoolAddOns={"AdvancedSecurityMode": mode})["UserPool"]["Id"])


def describe(cognito: Any, pool_id: str, client_id: str | None = None) -> dict[str, Any]:
    extra = {"ClientId": client_id} if client_id else {}
    return dict(cognito.describe_risk_configuration(UserPoolId=pool_id, **extra)["RiskConfiguration"])


def test_threat_protection_off_refuses_both(cognito: Any, pool_id: str) -> None:
    off = cognito.create_user_pool(PoolName="off", UserPoolAddOns={"AdvancedSecurityMode": "OFF"})["UserPool"]["Id"]
    for pool in (pool_id, off):
        with pytest.raises(cognito.exceptions.UserPoolAddOnNotEnabledException):
            cognito.describe_risk_configuration(UserPoolId=pool)
        with pytest.raises(cognito.exceptions.UserPoolAddOnNotEnabledException):
            cognito.set_risk_configuration(UserPoolId=pool, CompromisedCredentialsRiskConfiguration=COMPROMISED)


def test_pool_level_set_and_describe(cognito: Any, server: LiveServer) -> None:
    pool = protected_pool(cognito)
    assert describe(cognito, pool) == {"UserPoolId": pool}
    before = server.clock.now()
    answer = cognito.set_risk_configuration(
        UserPoolId=pool, CompromisedCredentialsRiskConfiguration=COMPROMISED,
        AccountTakeoverRiskConfiguration=TAKEOVER, RiskExceptionConfiguration=EXCEPTIONS)["RiskConfiguration"]
    assert before - 0.001 <= answer.pop("LastModifiedDate").timestamp() <= server.clock.now() + 0.001
    assert answer == {"UserPoolId": pool, "CompromisedCredentialsRiskConfiguration": COMPROMISED,
                      "AccountTakeoverRiskConfiguration": TAKEOVER, "RiskExceptionConfiguration": EXCEPTIONS}
    described = describe(cognito, pool)
    described.pop("LastModifiedDate")
    assert described == answer
    # Only the pool id: back to the defaults.
    cognito.set_risk_configuration(UserPoolId=pool)
    described = describe(cognito, pool)
    described.pop("LastModifiedDate", None)
    assert described == {"UserPoolId": pool}


def test_a_client_falls_back_to_the_pools_configuration(cognito: Any) -> None:
    pool = protected_pool(cognito, "AUDIT")
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="web")["UserPoolClient"]["ClientId"]
    other = cognito.create_user_pool_client(UserPoolId=pool, ClientName="other")["UserPoolClient"]["ClientId"]
    cognito.set_risk_configuration(UserPoolId=pool, RiskExceptionConfiguration=EXCEPTIONS)
    own = cognito.set_risk_configuration(UserPoolId=pool, ClientId=client,
                                         CompromisedCredentialsRiskConfiguration=COMPROMISED)["RiskConfiguration"]
    assert own["ClientId"] == client and own["CompromisedCredentialsRiskConfiguration"] == COMPROMISED
    assert "RiskExceptionConfiguration" not in own
    mine = describe(cognito, pool, client)
    assert mine["ClientId"] == client and mine["CompromisedCredentialsRiskConfiguration"] == COMPROMISED
    # A client without its own is described with the pool's (no ClientId: it applies to all).
    inherited = describe(cognito, pool, other)
    assert "ClientId" not in inherited and inherited["RiskExceptionConfiguration"] == EXCEPTIONS
    # The pool's own stays the pool's.
    assert "CompromisedCredentialsRiskConfiguration" not in describe(cognito, pool)
    # UpdateUserPoolClient keeps it; UserPoolId and ClientId only: inherit again.
    cognito.update_user_pool_client(UserPoolId=pool, ClientId=client, ClientName="web")
    assert describe(cognito, pool, client)["ClientId"] == client
    cognito.set_risk_configuration(UserPoolId=pool, ClientId=client)
    assert "ClientId" not in describe(cognito, pool, client)
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]
    assert not [key for key in described if key.startswith("_") or "Risk" in key]


def test_unknown_pool_and_client(cognito: Any) -> None:
    pool = protected_pool(cognito)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_risk_configuration(UserPoolId="us-east-1_Nope00000")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_risk_configuration(UserPoolId=pool, ClientId="nosuchclient0000000000000")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.set_risk_configuration(UserPoolId=pool, ClientId="nosuchclient0000000000000",
                                       RiskExceptionConfiguration=EXCEPTIONS)


@pytest.mark.parametrize(("settings", "words"), [
    ({"RiskExceptionConfiguration": {"BlockedIPRangeList": ["not-an-ip"]}}, "CIDR"),
    ({"RiskExceptionConfiguration": {"SkippedIPRangeList": ["10.0.0.0/33"]}}, "CIDR"),
    ({"AccountTakeoverRiskConfiguration": {"Actions": {"HighAction": {"Notify": True, "EventAction": "BLOCK"}}}},
     "NotifyConfiguration"),
])
def test_settings_cognito_refuses(cognito: Any, settings: dict[str, Any], words: str) -> None:
    pool = protected_pool(cognito)
    with pytest.raises(cognito.exceptions.InvalidParameterException, match=words):
        cognito.set_risk_configuration(UserPoolId=pool, **settings)
    assert describe(cognito, pool) == {"UserPoolId": pool}
