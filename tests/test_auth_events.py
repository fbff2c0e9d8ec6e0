"""AdminListUserAuthEvents, AdminUpdateAuthEventFeedback and UpdateAuthEventFeedback with
real boto3: refused with UserPoolAddOnNotEnabledException while threat protection
(UserPoolAddOns.AdvancedSecurityMode) is off; with it on, the emulator has recorded no
auth events (README), so the history is empty and feedback finds no event."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import confirmed_user

EVENT = "11111111-2222-3333-4444-555555555555"


def calls(cognito: Any, pool_id: str, username: str) -> list[Any]:
    return [
        lambda: cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username=username),
        lambda: cognito.admin_update_auth_event_feedback(UserPoolId=pool_id, Username=username, EventId=EVENT,
                                                         FeedbackValue="Valid"),
        lambda: cognito.update_auth_event_feedback(UserPoolId=pool_id, Username=username, EventId=EVENT,
                                                   FeedbackToken="token", FeedbackValue="Invalid"),
    ]


def test_threat_protection_off_refuses_all_three(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice")
    off = cognito.create_user_pool(PoolName="off", UserPoolAddOns={"AdvancedSecurityMode": "OFF"})["UserPool"]["Id"]
    for pool in (pool_id, off):
        for call in calls(cognito, pool, "alice"):
            with pytest.raises(cognito.exceptions.UserPoolAddOnNotEnabledException):
                call()


@pytest.mark.parametrize("mode", ["AUDIT", "ENFORCED"])
def test_threat_protection_on(cognito: Any, mode: str) -> None:
    pool = cognito.create_user_pool(PoolName="on", UserPoolTier="PLUS",
                                    UserPoolAddOns={"AdvancedSecurityMode": mode})["UserPool"]["Id"]
    confirmed_user(cognito, pool, "alice")
    assert cognito.admin_list_user_auth_events(UserPoolId=pool, Username="alice", MaxResults=10)["AuthEvents"] == []
    list_call, *feedback = calls(cognito, pool, "alice")
    for call in feedback:
        with pytest.raises(cognito.exceptions.ResourceNotFoundException, match="event"):
            call()
    for call in calls(cognito, pool, "nobody"):
        with pytest.raises(cognito.exceptions.UserNotFoundException):
            call()
    for call in calls(cognito, "us-east-1_Nope00000", "alice"):
        with pytest.raises(cognito.exceptions.ResourceNotFoundException):
            call()
