"""Hosted-UI configuration with real boto3: user pool domains, resource servers and
UI customization (GetUICustomization / SetUICustomization)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
import pytest

from .conftest import LiveServer

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
CSS = ".submitButton-customizable { background-color: #0a5; }\n.banner-customizable:hover { color: red; }"
GOOD_CSS = ".submitButton-customizable { background-color: #0a5; }\n.inputField-customizable:focus { border-color: #333; }"


def prefix() -> str:
    return f"app-{uuid.uuid4().hex[:10]}"


# -- domains ------------------------------------------------------------------------


def test_domain_lifecycle(cognito: Any, pool_id: str) -> None:
    name = prefix()
    assert cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name)["ManagedLoginVersion"] == 1
    described = cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]
    assert described["UserPoolId"] == pool_id and described["Domain"] == name
    assert described["Status"] == "ACTIVE" and described["AWSAccountId"] == "123456789012"
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == name
    updated = cognito.update_user_pool_domain(UserPoolId=pool_id, Domain=name, ManagedLoginVersion=2)
    assert updated["ManagedLoginVersion"] == 2
    assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]["ManagedLoginVersion"] == 2
    cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain=name)
    assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"] == {}
    assert "Domain" not in cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]


def test_custom_domain_answers_with_its_cloudfront_alias(cognito: Any, pool_id: str) -> None:
    name = prefix()
    config = {"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}
    made = cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name, CustomDomainConfig=config)
    assert made["CloudFrontDomain"].endswith(".cloudfront.net")
    described = cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]
    assert described["CustomDomainConfig"] == config
    assert described["CloudFrontDistribution"] == made["CloudFrontDomain"]
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["CustomDomain"] == name


def test_domain_errors(cognito: Any, pool_id: str) -> None:
    taken = prefix()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=taken)
    other = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="another user pool"):
        cognito.create_user_pool_domain(UserPoolId=other, Domain=taken)
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="already has a domain"):
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix())
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="reserved"):
        cognito.create_user_pool_domain(UserPoolId=other, Domain="my-cognito-app")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="regular expression"):
        cognito.create_user_pool_domain(UserPoolId=other, Domain="Not_A_Prefix")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.create_user_pool_domain(UserPoolId="us-east-1_NoSuchP00l", Domain=prefix())
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="No such domain"):
        cognito.delete_user_pool_domain(UserPoolId=other, Domain=taken)
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="No such domain"):
        cognito.update_user_pool_domain(UserPoolId=pool_id, Domain=prefix(), ManagedLoginVersion=2)


def test_deleting_a_pool_frees_its_domain(cognito: Any) -> None:
    name = prefix()
    pool = cognito.create_user_pool(PoolName="short-lived")["UserPool"]["Id"]
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=name)
    cognito.delete_user_pool(UserPoolId=pool)
    assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"] == {}


# -- resource servers ------------------------------------------------------------------


SCOPES = [{"ScopeName": "read", "ScopeDescription": "Read"}, {"ScopeName": "write", "ScopeDescription": "Write"}]


def test_resource_server_lifecycle(cognito: Any, pool_id: str) -> None:
    made = cognito.create_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com",
                                          Name="api", Scopes=SCOPES)["ResourceServer"]
    assert made == {"UserPoolId": pool_id, "Identifier": "https://api.example.com", "Name": "api", "Scopes": SCOPES}
    assert cognito.describe_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")[
        "ResourceServer"] == made
    updated = cognito.update_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com",
                                             Name="api v2")["ResourceServer"]
    assert updated["Name"] == "api v2" and updated["Scopes"] == []
    cognito.delete_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")


def test_list_resource_servers_pages(cognito: Any, pool_id: str) -> None:
    for i in range(5):
        cognito.create_resource_server(UserPoolId=pool_id, Identifier=f"api{i}", Name=f"api {i}")
    seen: list[str] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "MaxResults": 2}
    pages = 0
    while True:
        resp = cognito.list_resource_servers(**kwargs)
        pages += 1
        assert len(resp["ResourceServers"]) <= 2
        seen += [s["Identifier"] for s in resp["ResourceServers"]]
        if "NextToken" not in resp:
            break
        kwargs["NextToken"] = resp["NextToken"]
    assert seen == [f"api{i}" for i in range(5)] and pages == 3


def test_resource_server_errors(cognito: Any, pool_id: str) -> None:
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="orders")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="already exists"):
        cognito.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="again")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="unique"):
        cognito.create_resource_server(UserPoolId=pool_id, Identifier="dup", Name="dup",
                                       Scopes=[SCOPES[0], SCOPES[0]])
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="regular expression"):
        cognito.create_resource_server(UserPoolId=pool_id, Identifier="bad", Name="bad",
                                       Scopes=[{"ScopeName": "a/b", "ScopeDescription": "slash"}])
    for call in (cognito.update_resource_server, cognito.describe_resource_server, cognito.delete_resource_server):
        kwargs = {"Name": "x"} if call == cognito.update_resource_server else {}
        with pytest.raises(cognito.exceptions.ResourceNotFoundException):
            call(UserPoolId=pool_id, Identifier="missing", **kwargs)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.list_resource_servers(UserPoolId="us-east-1_NoSuchP00l", MaxResults=5)


def test_a_pool_holds_at_most_25_resource_servers(cognito: Any, pool_id: str) -> None:
    for i in range(25):
        cognito.create_resource_server(UserPoolId=pool_id, Identifier=f"rs{i}", Name="rs")
    with pytest.raises(cognito.exceptions.LimitExceededException):
        cognito.create_resource_server(UserPoolId=pool_id, Identifier="rs25", Name="rs")


# -- UI customization -------------------------------------------------------------------


@pytest.fixture
def branded_pool(cognito: Any, pool_id: str) -> str:
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix())
    return pool_id


def test_ui_customization_needs_a_domain(cognito: Any, pool_id: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="domain"):
        cognito.set_ui_customization(UserPoolId=pool_id, CSS=GOOD_CSS)


def test_set_and_get_ui_customization(cognito: Any, branded_pool: str, server: LiveServer) -> None:
    ui = cognito.set_ui_customization(UserPoolId=branded_pool, CSS=GOOD_CSS, ImageFile=PNG)["UICustomization"]
    assert ui["UserPoolId"] == branded_pool and ui["ClientId"] == "ALL" and ui["CSS"] == GOOD_CSS
    assert ui["CSSVersion"] and ui["ImageUrl"].startswith(server.url + "/_hosted/logo/")
    got = cognito.get_ui_customization(UserPoolId=branded_pool)["UICustomization"]
    assert got == ui
    logo = httpx.get(ui["ImageUrl"])
    assert logo.status_code == 200 and logo.headers["content-type"] == "image/png" and logo.content == PNG


def test_a_client_falls_back_to_the_pool_default_until_it_has_its_own(cognito: Any, branded_pool: str) -> None:
    client_id = cognito.create_user_pool_client(UserPoolId=branded_pool, ClientName="web")["UserPoolClient"]["ClientId"]
    assert cognito.get_ui_customization(UserPoolId=branded_pool, ClientId=client_id)["UICustomization"] == {
        "UserPoolId": branded_pool, "ClientId": client_id}
    cognito.set_ui_customization(UserPoolId=branded_pool, ClientId="ALL", CSS=GOOD_CSS)
    fallback = cognito.get_ui_customization(UserPoolId=branded_pool, ClientId=client_id)["UICustomization"]
    assert fallback["ClientId"] == "ALL" and fallback["CSS"] == GOOD_CSS
    own = ".label-customizable { font-weight: 700; }"
    cognito.set_ui_customization(UserPoolId=branded_pool, ClientId=client_id, CSS=own)
    mine = cognito.get_ui_customization(UserPoolId=branded_pool, ClientId=client_id)["UICustomization"]
    assert mine["ClientId"] == client_id and mine["CSS"] == own and "ImageUrl" not in mine


@pytest.mark.parametrize("css", [
    ".notAClass { color: red; }",
    CSS,  # :hover is allowed on buttons only
    ".label-customizable { color: red; } @import 'x.css';",
    ".label-customizable { background: url(https://evil.example/x.png); }",
    ".label-customizable { color: red; } </style><script>alert(1)</script>",
    "body { color: red }",
    ".label-customizable { color: red;",
])
def test_css_outside_cognitos_classes_is_refused(cognito: Any, branded_pool: str, css: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.set_ui_customization(UserPoolId=branded_pool, CSS=css)


def test_ui_customization_errors(cognito: Any, branded_pool: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="PNG or JPEG"):
        cognito.set_ui_customization(UserPoolId=branded_pool, ImageFile=b"GIF89a not a png")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.set_ui_customization(UserPoolId=branded_pool, ClientId="nosuchclient", CSS=GOOD_CSS)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.get_ui_customization(UserPoolId="us-east-1_NoSuchP00l")
