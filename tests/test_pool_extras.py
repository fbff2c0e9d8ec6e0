"""AddCustomAttributes and user-pool tags (TagResource, UntagResource,
ListTagsForResource), as infrastructure tools (CDK, Terraform, the CLI) call them."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import confirmed_user


def schema(cognito: Any, pool_id: str) -> dict[str, dict[str, Any]]:
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    return {e["Name"]: e for e in pool["SchemaAttributes"]}


def test_added_custom_attributes_join_the_schema_and_take_values(cognito: Any, pool_id: str) -> None:
    cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
        {"Name": "tenant", "AttributeDataType": "String", "Mutable": True,
         "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "15"}},
        {"Name": "level", "AttributeDataType": "Number", "Mutable": False,
         "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "9"}},
    ])
    entries = schema(cognito, pool_id)
    assert entries["custom:tenant"] == {
        "Name": "custom:tenant", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
        "Mutable": True, "Required": False, "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "15"}}
    assert entries["custom:level"]["Mutable"] is False
    confirmed_user(cognito, pool_id, "carol", **{"custom:tenant": "acme", "custom:level": "3"})
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="carol")["UserAttributes"]
    assert {"Name": "custom:tenant", "Value": "acme"} in got
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="custom:tenant"):
        cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="carol",
                                             UserAttributes=[{"Name": "custom:tenant", "Value": "x" * 16}])


def test_custom_attributes_cannot_be_added_twice_or_required(cognito: Any, pool_id: str) -> None:
    cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": "a", "AttributeDataType": "String"}])
    before = schema(cognito, pool_id)
    with pytest.raises(cognito.exceptions.InvalidParameterException,
                       match="Existing attribute already has name custom:a."):
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
            {"Name": "b", "AttributeDataType": "String"}, {"Name": "a", "AttributeDataType": "Number"}])
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="Required custom attributes"):
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
            {"Name": "c", "AttributeDataType": "String", "Required": True}])
    # A refused call adds none of its attributes.
    assert schema(cognito, pool_id) == before
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.add_custom_attributes(UserPoolId="us-east-1_nothere",
                                      CustomAttributes=[{"Name": "a", "AttributeDataType": "String"}])


def test_a_pool_holds_at_most_50_custom_attributes(cognito: Any, pool_id: str) -> None:
    for start in (0, 25):
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
            {"Name": f"a{i}", "AttributeDataType": "String"} for i in range(start, start + 25)])
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="50"):
        cognito.add_custom_attributes(UserPoolId=pool_id,
                                      CustomAttributes=[{"Name": "one_more", "AttributeDataType": "String"}])


def test_pool_tags_are_set_listed_and_removed_by_arn(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="tagged", UserPoolTags={"team": "auth"})["UserPool"]
    arn = pool["Arn"]
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "auth"}
    cognito.tag_resource(ResourceArn=arn, Tags={"env": "test", "team": "identity"})
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "identity", "env": "test"}
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolTags"] == {
        "team": "identity", "env": "test"}
    cognito.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "test"}


def test_tags_of_unknown_or_foreign_arns_are_not_found(cognito: Any, pool_id: str) -> None:
    arn = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    for wrong in (arn.replace(pool_id, "us-east-1_nothere"), arn.replace("us-east-1:", "eu-west-1:"),
                  arn.replace(":userpool/", ":identitypool/"),
                  "arn:aws:cognito-idp:us-east-1:000000000000:userpool"):
        with pytest.raises(cognito.exceptions.ResourceNotFoundException):
            cognito.list_tags_for_resource(ResourceArn=wrong)
        with pytest.raises(cognito.exceptions.ResourceNotFoundException):
            cognito.tag_resource(ResourceArn=wrong, Tags={"a": "b"})


def test_a_pool_holds_at_most_50_tags(cognito: Any, pool_id: str) -> None:
    arn = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    cognito.tag_resource(ResourceArn=arn, Tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="50"):
        cognito.tag_resource(ResourceArn=arn, Tags={"k50": "v"})
    assert len(cognito.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 50
