"""GetLogDeliveryConfiguration / SetLogDeliveryConfiguration with real boto3: stored per
pool, held to the rules the API reference gives (userNotification: ERROR to CloudWatch
Logs; userAuthEvents: INFO to CloudWatch Logs, Firehose or S3, on the Plus tier)."""

from __future__ import annotations

from typing import Any

import pytest

LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:cognito-errors"
STREAM = "arn:aws:firehose:us-east-1:123456789012:deliverystream/auth-events"
BUCKET = "arn:aws:s3:::auth-event-bucket"
NOTIFICATIONS = {"EventSource": "userNotification", "LogLevel": "ERROR",
                 "CloudWatchLogsConfiguration": {"LogGroupArn": LOG_GROUP}}


def get(cognito: Any, pool_id: str) -> dict[str, Any]:
    return dict(cognito.get_log_delivery_configuration(UserPoolId=pool_id)["LogDeliveryConfiguration"])


def test_a_pool_without_one_answers_no_configurations(cognito: Any, pool_id: str) -> None:
    assert get(cognito, pool_id) == {"UserPoolId": pool_id, "LogConfigurations": []}


def test_set_get_replace_and_clear(cognito: Any, pool_id: str) -> None:
    answer = cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[NOTIFICATIONS])
    assert answer["LogDeliveryConfiguration"] == {"UserPoolId": pool_id, "LogConfigurations": [NOTIFICATIONS]}
    assert get(cognito, pool_id) == answer["LogDeliveryConfiguration"]
    # An update of the pool leaves it, and DescribeUserPool does not show it.
    cognito.update_user_pool(UserPoolId=pool_id)
    assert get(cognito, pool_id)["LogConfigurations"] == [NOTIFICATIONS]
    described = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert not any("Log" in key for key in described)
    cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[])
    assert get(cognito, pool_id)["LogConfigurations"] == []


def test_user_auth_events_need_the_plus_tier(cognito: Any, pool_id: str) -> None:
    events = {"EventSource": "userAuthEvents", "LogLevel": "INFO", "S3Configuration": {"BucketArn": BUCKET}}
    with pytest.raises(cognito.exceptions.FeatureUnavailableInTierException):
        cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[events])
    plus = cognito.create_user_pool(PoolName="plus", UserPoolTier="PLUS")["UserPool"]["Id"]
    firehose = {"EventSource": "userAuthEvents", "LogLevel": "INFO", "FirehoseConfiguration": {"StreamArn": STREAM}}
    for destination in (events, firehose):
        cognito.set_log_delivery_configuration(UserPoolId=plus, LogConfigurations=[NOTIFICATIONS, destination])
        assert get(cognito, plus)["LogConfigurations"] == [NOTIFICATIONS, destination]


@pytest.mark.parametrize(("configs", "words"), [
    ([{**NOTIFICATIONS, "LogLevel": "INFO"}], "ERROR"),
    ([{"EventSource": "userNotification", "LogLevel": "ERROR", "S3Configuration": {"BucketArn": BUCKET}}],
     "CloudWatch"),
    ([{"EventSource": "userNotification", "LogLevel": "ERROR"}], "destination"),
    ([{**NOTIFICATIONS, "FirehoseConfiguration": {"StreamArn": STREAM}}], "destination"),
    ([NOTIFICATIONS, NOTIFICATIONS], "userNotification"),
    ([{"EventSource": "userAuthEvents", "LogLevel": "ERROR", "S3Configuration": {"BucketArn": BUCKET}}], "INFO"),
])
def test_configurations_cognito_refuses(cognito: Any, configs: list[dict[str, Any]], words: str) -> None:
    plus = cognito.create_user_pool(PoolName="plus", UserPoolTier="PLUS")["UserPool"]["Id"]
    with pytest.raises(cognito.exceptions.InvalidParameterException, match=words):
        cognito.set_log_delivery_configuration(UserPoolId=plus, LogConfigurations=configs)
    assert get(cognito, plus)["LogConfigurations"] == []


def test_unknown_pool_and_bad_arn(cognito: Any, unchecked: Any, pool_id: str) -> None:
    for call in (lambda: cognito.get_log_delivery_configuration(UserPoolId="us-east-1_Nope00000"),
                 lambda: cognito.set_log_delivery_configuration(UserPoolId="us-east-1_Nope00000",
                                                                LogConfigurations=[])):
        with pytest.raises(cognito.exceptions.ResourceNotFoundException):
            call()
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="logGroupArn"):
        unchecked.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[
            {**NOTIFICATIONS, "CloudWatchLogsConfiguration": {"LogGroupArn": "not-an-arn-at-all-really"}}])
