"""Sign-in through an OIDC identity provider in the hosted UI, proven with the emulator as
the provider: pool A (with a confidential client whose callback is /oauth2/idpresponse)
is the OIDC provider of pool B. A browser (httpx) goes from B's /oauth2/authorize to A's
sign-in page and back through B's /oauth2/idpresponse to the app, whose code B's token
endpoint exchanges for tokens of the federated user."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from emulator.triggers.registry import Triggers

from .conftest import PASSWORD, LiveServer
from .hosted import (
    CALLBACK,
    Browser,
    authorize_params,
    oauth_client,
    oauth_pool,
    query_of,
    user_with_email,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


class Federation:
    def __init__(self, server: LiveServer, cognito: Any, **details: str) -> None:
        self.server, self.base = server, server.url
        self.pool_a = oauth_pool(cognito)
        cognito.create_user_pool_domain(UserPoolId=self.pool_a, Domain=f"idp-{uuid.uuid4().hex[:10]}")
        self.ann_sub = next(a["Value"] for a in cognito.admin_get_user(
            UserPoolId=self.pool_a, Username=user_with_email(cognito, self.pool_a, "ann"))["UserAttributes"]
            if a["Name"] == "sub")
        self.client_a = oauth_client(cognito, self.pool_a, secret=True, AllowedOAuthFlows=["code"],
                                     CallbackURLs=[f"{self.base}/oauth2/idpresponse"])
        self.pool_b = oauth_pool(cognito)
        cognito.create_identity_provider(
            UserPoolId=self.pool_b, ProviderName="PoolA", ProviderType="OIDC", IdpIdentifiers=["a.example.com"],
            ProviderDetails={"client_id": self.client_a["ClientId"], "client_secret": self.client_a["ClientSecret"],
                             "authorize_scopes": "openid email", "attributes_request_method": "GET",
                             "oidc_issuer": f"{self.base}/{self.pool_a}",
                             **{k: v.format(base=self.base, a=self.pool_a) for k, v in details.items()}},
            AttributeMapping={"email": "email", "email_verified": "email_verified"})
        self.client_b = oauth_client(cognito, self.pool_b, secret=True,
                                     SupportedIdentityProviders=["COGNITO", "PoolA"])

    def sign_in(self, browser: Browser | None = None, **extra: str) -> tuple[httpx.Response, Browser]:
        """From B's authorize to A's login page, signed in as ann, and back to B: B's answer."""
        browser = browser or Browser(self.base)
        params = authorize_params(self.client_b["ClientId"], state="app-state", nonce="app-nonce",
                                  **({"identity_provider": "PoolA"} | extra))
        to_a = browser.get("/oauth2/authorize", **params)
        assert to_a.status_code == 302, to_a.text
        sent = query_of(to_a.headers["location"])
        assert to_a.headers["location"].startswith(f"{self.base}/oauth2/authorize?")
        assert sent["client_id"] == self.client_a["ClientId"] and sent["response_type"] == "code"
        assert sent["redirect_uri"] == f"{self.base}/oauth2/idpresponse" and sent["scope"] == "openid email"
        browser.follow()  # A's authorize: on to A's login page
        login = browser.follow()
        assert login.status_code == 200, login.text
        back_to_b = browser.submit(username="ann", password=PASSWORD)
        assert back_to_b.headers["location"].startswith(f"{self.base}/oauth2/idpresponse?")
        return browser.follow(), browser

    def tokens(self, code: str) -> dict[str, Any]:
        answer = httpx.post(f"{self.base}/oauth2/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "client_id": self.client_b["ClientId"], "client_secret": self.client_b["ClientSecret"]})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def claims(self, token: str) -> dict[str, Any]:
        key = jwt.PyJWKClient(f"{self.base}/{self.pool_b}/.well-known/jwks.json").get_signing_key_from_jwt(token)
        return dict(jwt.decode(token, key.key, algorithms=["RS256"], issuer=f"{self.base}/{self.pool_b}",
                               options={"verify_aud": False, "verify_exp": False, "verify_iat": False}))


@pytest.fixture
def triggers(server: LiveServer) -> Iterator[Triggers]:
    yield server.triggers
    server.triggers.clear()


def test_pool_a_signs_in_a_federated_user_of_pool_b(server: LiveServer, cognito: Any) -> None:
    fed = Federation(server, cognito)
    answer, _ = fed.sign_in()
    assert answer.status_code == 302 and answer.headers["location"].startswith(CALLBACK + "?"), answer.text
    back = query_of(answer.headers["location"])
    assert back["state"] == "app-state"
    tokens = fed.tokens(back["code"])
    claims = fed.claims(tokens["id_token"])
    username = f"PoolA_{fed.ann_sub}"
    assert claims["cognito:username"] == username and claims["aud"] == fed.client_b["ClientId"]
    assert claims["email"] == "ann@example.com" and claims["email_verified"] is True
    assert claims["nonce"] == "app-nonce"
    assert claims["cognito:groups"] == [f"{fed.pool_b}_PoolA"]
    [identity] = claims["identities"]
    assert identity["userId"] == fed.ann_sub and identity["providerName"] == "PoolA"
    assert identity["providerType"] == "OIDC" and identity["primary"] == "true"
    user = cognito.admin_get_user(UserPoolId=fed.pool_b, Username=username)
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    assert fed.claims(tokens["access_token"])["username"] == username
    assert [g["GroupName"] for g in cognito.list_groups(UserPoolId=fed.pool_b)["Groups"]] == [f"{fed.pool_b}_PoolA"]
    refreshed = httpx.post(f"{fed.base}/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
        "client_id": fed.client_b["ClientId"], "client_secret": fed.client_b["ClientSecret"]})
    assert fed.claims(refreshed.json()["id_token"])["cognito:username"] == username
    info = httpx.get(f"{fed.base}/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.json()["email"] == "ann@example.com" and info.json()["username"] == username


def test_a_second_sign_in_finds_the_same_user_and_keeps_the_session(server: LiveServer, cognito: Any) -> None:
    fed = Federation(server, cognito)
    fed.sign_in()
    answer, _ = fed.sign_in(Browser(fed.base))
    assert answer.headers["location"].startswith(CALLBACK + "?code=")
    assert len(cognito.list_users(UserPoolId=fed.pool_b)["Users"]) == 1
    # B's session cookie then answers B's authorize without the provider.
    _, browser = fed.sign_in(Browser(fed.base))
    again = browser.get("/oauth2/authorize", **authorize_params(fed.client_b["ClientId"]))
    assert again.headers["location"].startswith(CALLBACK + "?code="), again.text


def test_idp_identifier_and_the_login_page_button_lead_to_the_provider(server: LiveServer, cognito: Any) -> None:
    fed = Federation(server, cognito)
    answer, _ = fed.sign_in(identity_provider="", idp_identifier="a.example.com")
    assert answer.headers["location"].startswith(CALLBACK + "?code=")
    browser = Browser(fed.base)
    page = browser.get("/login", **authorize_params(fed.client_b["ClientId"]))
    assert "identity_provider=PoolA" in page.text and ">PoolA</a>" in page.text


def test_endpoints_named_in_the_configuration_need_no_discovery(server: LiveServer, cognito: Any) -> None:
    named = {"authorize_url": "{base}/oauth2/authorize", "token_url": "{base}/oauth2/token",
             "attributes_url": "{base}/oauth2/userInfo", "jwks_uri": "{base}/{a}/.well-known/jwks.json"}
    fed = Federation(server, cognito, **named)
    answer, _ = fed.sign_in()
    assert answer.headers["location"].startswith(CALLBACK + "?code=")
    # With an issuer that is not pool A's (and not discoverable), A's ID token is refused.
    wrong = Federation(server, cognito, **named, oidc_issuer="{base}/not-discoverable")
    answer, _ = wrong.sign_in()
    back = query_of(answer.headers["location"])
    assert back["error"] == "invalid_request" and "issuer" in back["error_description"], back


def test_provider_errors_come_back_to_the_app(server: LiveServer, cognito: Any) -> None:
    fed = Federation(server, cognito, authorize_scopes="openid email orders/write")  # not A's client's scope
    browser = Browser(fed.base)
    to_a = browser.get("/oauth2/authorize", **authorize_params(fed.client_b["ClientId"], state="s1",
                                                                identity_provider="PoolA"))
    browser.follow()
    assert browser.page is not None and browser.page.headers["location"].startswith(f"{fed.base}/oauth2/idpresponse")
    answer = browser.follow()
    back = query_of(answer.headers["location"])
    assert answer.headers["location"].startswith(CALLBACK) and to_a.status_code == 302
    assert back["error"] == "invalid_scope" and back["state"] == "s1" and back["error_description"]


def test_a_state_not_ours_or_from_another_browser_is_an_error_page(server: LiveServer, cognito: Any) -> None:
    fed = Federation(server, cognito)
    page = httpx.get(f"{fed.base}/oauth2/idpresponse", params={"code": "x", "state": f"{fed.pool_b}.e30.AAAA"})
    assert page.status_code == 400
    browser = Browser(fed.base)
    to_a = browser.get("/oauth2/authorize", **authorize_params(fed.client_b["ClientId"], identity_provider="PoolA"))
    state = query_of(to_a.headers["location"])["state"]
    stranger = httpx.get(f"{fed.base}/oauth2/idpresponse", params={"code": "x", "state": state})
    assert stranger.status_code == 400 and "did not start" in stranger.text


def test_unknown_providers_are_refused_and_social_sign_in_names_the_gap(server: LiveServer, cognito: Any) -> None:
    fed = Federation(server, cognito)
    refused = httpx.get(f"{fed.base}/oauth2/authorize", params=authorize_params(
        fed.client_b["ClientId"], identity_provider="Nope"))
    assert query_of(refused.headers["location"])["error"] == "unauthorized_client"
    cognito.create_identity_provider(UserPoolId=fed.pool_b, ProviderName="Google", ProviderType="Google",
                                     ProviderDetails={"client_id": "g", "client_secret": "s",
                                                      "authorize_scopes": "openid"})
    client = oauth_client(cognito, fed.pool_b, SupportedIdentityProviders=["Google"])
    page = httpx.get(f"{fed.base}/oauth2/authorize", params=authorize_params(
        client["ClientId"], identity_provider="Google"))
    assert page.status_code == 501 and "OIDC" in page.text and "Google" in page.text


def test_pre_sign_up_runs_for_the_first_federated_sign_in(server: LiveServer, cognito: Any,
                                                         triggers: Triggers) -> None:
    events: list[dict[str, Any]] = []

    def pre_sign_up(event: dict[str, Any], context: Any) -> dict[str, Any]:
        events.append(copy.deepcopy(event))
        return event

    triggers.register("fed-pre-sign-up", pre_sign_up)
    fed = Federation(server, cognito)
    cognito.update_user_pool(UserPoolId=fed.pool_b, LambdaConfig={"PreSignUp": ARN.format("fed-pre-sign-up")},
                             Policies={"PasswordPolicy": {"MinimumLength": 8}})
    fed.sign_in()
    fed.sign_in(Browser(fed.base))
    assert [e["triggerSource"] for e in events] == ["PreSignUp_ExternalProvider"]
    assert events[0]["userName"] == f"PoolA_{fed.ann_sub}"
    assert events[0]["request"]["userAttributes"]["email"] == "ann@example.com"
    assert events[0]["callerContext"]["clientId"] == fed.client_b["ClientId"]


def test_a_failing_pre_sign_up_sends_its_error_to_the_app(server: LiveServer, cognito: Any,
                                                         triggers: Triggers) -> None:
    def refuse(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise ValueError("no outsiders")

    triggers.register("fed-refuse", refuse)
    fed = Federation(server, cognito)
    cognito.update_user_pool(UserPoolId=fed.pool_b, LambdaConfig={"PreSignUp": ARN.format("fed-refuse")},
                             Policies={"PasswordPolicy": {"MinimumLength": 8}})
    answer, _ = fed.sign_in()
    back = query_of(answer.headers["location"])
    assert answer.headers["location"].startswith(CALLBACK) and "no outsiders" in back["error_description"]
    assert cognito.list_users(UserPoolId=fed.pool_b)["Users"] == []


def test_a_sign_in_not_back_within_5_minutes_is_an_error_page(server: LiveServer, cognito: Any) -> None:
    fed = Federation(server, cognito)
    browser = Browser(fed.base)
    browser.get("/oauth2/authorize", **authorize_params(fed.client_b["ClientId"], identity_provider="PoolA"))
    browser.follow()
    browser.follow()
    server.clock.advance(301)
    browser.submit(username="ann", password=PASSWORD)
    late = browser.follow()
    assert late.status_code == 400 and "5 minutes" in late.text


def test_a_client_of_one_provider_and_no_cognito_goes_straight_to_it(server: LiveServer, cognito: Any) -> None:
    fed = Federation(server, cognito)
    client = oauth_client(cognito, fed.pool_b, SupportedIdentityProviders=["PoolA"])
    sent = httpx.get(f"{fed.base}/oauth2/authorize", params=authorize_params(client["ClientId"]))
    assert sent.status_code == 302 and query_of(sent.headers["location"])["client_id"] == fed.client_a["ClientId"]


def test_a_client_of_providers_only_gets_their_buttons_and_no_password_form(server: LiveServer,
                                                                           cognito: Any) -> None:
    fed = Federation(server, cognito)
    details = {"client_id": "c", "client_secret": "s", "authorize_scopes": "openid",
               "oidc_issuer": "https://idp.example.com"}
    cognito.create_identity_provider(UserPoolId=fed.pool_b, ProviderName="Other", ProviderType="OIDC",
                                     ProviderDetails=details)
    client = oauth_client(cognito, fed.pool_b, SupportedIdentityProviders=["PoolA", "Other"])
    browser = Browser(fed.base)
    browser.get("/oauth2/authorize", **authorize_params(client["ClientId"]))
    page = browser.follow()
    assert page.status_code == 200 and ">PoolA</a>" in page.text and ">Other</a>" in page.text
    assert 'name="password"' not in page.text
    form = {**authorize_params(client["ClientId"]), "_csrf": browser.http.cookies["XSRF-TOKEN"],
            "username": "ann", "password": PASSWORD}
    refused = browser.http.post("/login", data=form)
    assert refused.status_code == 400 and "identity provider" in refused.text


# -- GetDerivedToken with a token of the provider -----------------------------------------------


def test_a_providers_token_is_exchanged_for_the_federated_users_token(server: LiveServer, cognito: Any) -> None:
    """GetDerivedToken's SubjectTokenProviderName: pool A's ID token (its aud the provider's
    client_id) or access token, checked against the OIDC provider's configuration, stands
    for the federated user of pool B it signed in before."""
    from .test_auth import secret_hash
    from .test_tokens import verify

    fed = Federation(server, cognito)
    gateway = oauth_client(cognito, fed.pool_b, secret=True,
                           ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_IMPERSONATION"])

    def derive(token: str, kind: str, provider: str = "PoolA") -> dict[str, Any]:
        out: dict[str, Any] = cognito.get_derived_token(
            ClientId=gateway["ClientId"], ClientSecret=gateway["ClientSecret"], SubjectToken=token,
            SubjectTokenType=kind, SubjectTokenProviderName=provider, Audiences=["billing"])
        return out

    a = fed.client_a
    at_a = cognito.initiate_auth(ClientId=a["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "ann", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(a["ClientSecret"], "ann", a["ClientId"])},
    )["AuthenticationResult"]
    with pytest.raises(cognito.exceptions.UserNotFoundException):  # not federated into B yet
        derive(at_a["IdToken"], "ID_TOKEN")
    fed.sign_in()
    username = f"PoolA_{fed.ann_sub}"
    b_sub = next(x["Value"] for x in cognito.admin_get_user(UserPoolId=fed.pool_b, Username=username)[
        "UserAttributes"] if x["Name"] == "sub")
    for token, kind in ((at_a["IdToken"], "ID_TOKEN"), (at_a["AccessToken"], "ACCESS_TOKEN")):
        claims = verify(server.url, fed.pool_b, derive(token, kind)["IssuedToken"], audience="billing")
        assert (claims["sub"], claims["username"], claims["client_id"]) == (b_sub, username, gateway["ClientId"])
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="Nowhere"):
        derive(at_a["IdToken"], "ID_TOKEN", provider="Nowhere")
    forged = at_a["IdToken"][:-4] + ("AAAA" if not at_a["IdToken"].endswith("AAAA") else "BBBB")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        derive(forged, "ID_TOKEN")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):  # another provider's token: B's own
        derive(fed.tokens(query_of(fed.sign_in()[0].headers["location"])["code"])["id_token"], "ID_TOKEN")
    fed.server.clock.advance(7200)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="expired"):
        derive(at_a["IdToken"], "ID_TOKEN")


# -- AdminLinkProviderForUser / AdminDisableProviderForUser -----------------------------------


def _link(cognito: Any, fed: Federation, destination: str, subject: str) -> None:
    cognito.admin_link_provider_for_user(
        UserPoolId=fed.pool_b, DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": destination},
        SourceUser={"ProviderName": "PoolA", "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": subject})


def test_a_linked_provider_identity_signs_in_as_the_existing_user(server: LiveServer, cognito: Any) -> None:
    fed = Federation(server, cognito)
    bea = user_with_email(cognito, fed.pool_b, "bea")
    _link(cognito, fed, bea, fed.ann_sub)
    attrs = {a["Name"]: a["Value"] for a in cognito.admin_get_user(UserPoolId=fed.pool_b, Username=bea)[
        "UserAttributes"]}
    [identity] = json.loads(attrs["identities"])
    assert (identity["userId"], identity["providerName"], identity["providerType"]) == (fed.ann_sub, "PoolA", "OIDC")
    answer, _ = fed.sign_in()
    claims = fed.claims(fed.tokens(query_of(answer.headers["location"])["code"])["id_token"])
    assert claims["cognito:username"] == bea  # not PoolA_<sub>: the link leads to bea
    assert [u["Username"] for u in cognito.list_users(UserPoolId=fed.pool_b)["Users"]] == [bea]
    with pytest.raises(cognito.exceptions.InvalidParameterException):  # the identity is linked already
        _link(cognito, fed, user_with_email(cognito, fed.pool_b, "cat"), fed.ann_sub)
    cognito.admin_disable_provider_for_user(UserPoolId=fed.pool_b, User={
        "ProviderName": "PoolA", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": fed.ann_sub})
    attrs = {a["Name"]: a["Value"] for a in cognito.admin_get_user(UserPoolId=fed.pool_b, Username=bea)[
        "UserAttributes"]}
    assert "identities" not in attrs
    answer, _ = fed.sign_in()  # unlinked: a user of its own again
    claims = fed.claims(fed.tokens(query_of(answer.headers["location"])["code"])["id_token"])
    assert claims["cognito:username"] == f"PoolA_{fed.ann_sub}"


def test_link_refusals(server: LiveServer, cognito: Any) -> None:
    fed = Federation(server, cognito)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        _link(cognito, fed, "nobody", "x-1")
    bea = user_with_email(cognito, fed.pool_b, "bea")
    fed.sign_in()  # ann's federated user exists: it cannot be linked (no merging)
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="Merging is not currently supported"):
        _link(cognito, fed, bea, fed.ann_sub)
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.admin_link_provider_for_user(
            UserPoolId=fed.pool_b, DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": bea},
            SourceUser={"ProviderName": "Nowhere", "ProviderAttributeName": "Cognito_Subject",
                        "ProviderAttributeValue": "x-1"})
    for n in range(5):
        _link(cognito, fed, bea, f"other-{n}")
    with pytest.raises(cognito.exceptions.LimitExceededException):
        _link(cognito, fed, bea, "other-5")
    cognito.admin_delete_user(UserPoolId=fed.pool_b, Username=bea)  # its links go with it
    _link(cognito, fed, user_with_email(cognito, fed.pool_b, "cat"), "other-0")


def test_disabling_a_federated_user_that_is_not_linked(server: LiveServer, cognito: Any) -> None:
    """AdminDisableProviderForUser on a federated user of its own: it can no longer sign in."""
    fed = Federation(server, cognito)
    fed.sign_in()
    cognito.admin_disable_provider_for_user(UserPoolId=fed.pool_b, User={
        "ProviderName": "PoolA", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": fed.ann_sub})
    user = cognito.admin_get_user(UserPoolId=fed.pool_b, Username=f"PoolA_{fed.ann_sub}")
    assert user["Enabled"] is False
    answer, _ = fed.sign_in()
    assert "error" in query_of(answer.headers["location"]) or answer.status_code >= 400
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.admin_disable_provider_for_user(UserPoolId=fed.pool_b, User={
            "ProviderName": "PoolA", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "none"})
