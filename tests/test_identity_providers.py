"""User-pool identity providers (federation settings) with real boto3: Create, Describe,
Update, Delete, List and GetIdentityProviderByIdentifier, and app clients naming them."""

from __future__ import annotations

from typing import Any

import pytest

OIDC = {
    "client_id": "idp-client", "client_secret": "idp-secret", "authorize_scopes": "openid email",
    "attributes_request_method": "GET", "oidc_issuer": "https://idp.example.com",
    "authorize_url": "https://idp.example.com/authorize", "token_url": "https://idp.example.com/token",
    "attributes_url": "https://idp.example.com/userinfo", "jwks_uri": "https://idp.example.com/jwks",
}


def make(cognito: Any, pool_id: str, name: str = "Corp", kind: str = "OIDC", **kwargs: Any) -> dict[str, Any]:
    details = kwargs.pop("ProviderDetails", OIDC)
    return cognito.create_identity_provider(UserPoolId=pool_id, ProviderName=name, ProviderType=kind,
                                            ProviderDetails=details, **kwargs)["IdentityProvider"]


def test_oidc_provider_lifecycle(cognito: Any, pool_id: str) -> None:
    made = make(cognito, pool_id, AttributeMapping={"email": "email"}, IdpIdentifiers=["corp.example.com"])
    assert made["UserPoolId"] == pool_id and made["ProviderName"] == "Corp" and made["ProviderType"] == "OIDC"
    assert made["ProviderDetails"] == {**OIDC, "attributes_url_add_attributes": "false"}
    assert made["AttributeMapping"] == {"email": "email", "username": "sub"}
    assert made["IdpIdentifiers"] == ["corp.example.com"]
    assert cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")["IdentityProvider"] == made
    by_id = cognito.get_identity_provider_by_identifier(UserPoolId=pool_id, IdpIdentifier="corp.example.com")
    assert by_id["IdentityProvider"]["ProviderName"] == "Corp"

    updated = cognito.update_identity_provider(
        UserPoolId=pool_id, ProviderName="Corp", ProviderDetails={**OIDC, "authorize_scopes": "openid"},
        IdpIdentifiers=["corp2"])["IdentityProvider"]
    assert updated["ProviderDetails"]["authorize_scopes"] == "openid"
    assert updated["IdpIdentifiers"] == ["corp2"] and updated["AttributeMapping"] == made["AttributeMapping"]
    assert updated["LastModifiedDate"] >= made["LastModifiedDate"]
    assert updated["CreationDate"] == made["CreationDate"]

    cognito.delete_identity_provider(UserPoolId=pool_id, ProviderName="Corp")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.get_identity_provider_by_identifier(UserPoolId=pool_id, IdpIdentifier="corp2")
    assert "_IdentityProviders" not in str(cognito.describe_user_pool(UserPoolId=pool_id))


def test_social_providers_get_cognito_s_fixed_endpoints(cognito: Any, pool_id: str) -> None:
    google = make(cognito, pool_id, "Google", "Google", ProviderDetails={
        "client_id": "g.apps.googleusercontent.com", "client_secret": "s", "authorize_scopes": "email profile openid"})
    assert google["ProviderDetails"]["authorize_url"] == "https://accounts.google.com/o/oauth2/v2/auth"
    assert google["ProviderDetails"]["token_url"] == "https://www.googleapis.com/oauth2/v4/token"
    assert google["ProviderDetails"]["oidc_issuer"] == "https://accounts.google.com"
    assert google["ProviderDetails"]["attributes_url_add_attributes"] == "true"
    assert google["AttributeMapping"] == {"username": "sub"}
    facebook = make(cognito, pool_id, "Facebook", "Facebook", ProviderDetails={
        "client_id": "1", "client_secret": "s", "authorize_scopes": "public_profile, email", "api_version": "v17.0"})
    assert facebook["ProviderDetails"]["token_url"] == "https://graph.facebook.com/v17.0/oauth/access_token"
    assert facebook["ProviderDetails"]["token_request_method"] == "GET"
    assert facebook["AttributeMapping"] == {"username": "id"}
    apple = make(cognito, pool_id, "SignInWithApple", "SignInWithApple", ProviderDetails={
        "client_id": "com.example", "private_key": "KEY", "key_id": "K1", "team_id": "T1", "authorize_scopes": "email"})
    assert "private_key" not in apple["ProviderDetails"]
    assert apple["ProviderDetails"]["oidc_issuer"] == "https://appleid.apple.com"
    amazon = make(cognito, pool_id, "LoginWithAmazon", "LoginWithAmazon", ProviderDetails={
        "client_id": "amzn1", "client_secret": "s", "authorize_scopes": "profile"})
    assert amazon["ProviderDetails"]["attributes_url"] == "https://api.amazon.com/user/profile"
    assert amazon["AttributeMapping"] == {"username": "user_id"}
    saml = make(cognito, pool_id, "Okta", "SAML", ProviderDetails={"MetadataURL": "https://idp.example.com/meta"})
    assert saml["ProviderDetails"]["MetadataURL"] == "https://idp.example.com/meta"


def test_list_identity_providers_pages(cognito: Any, pool_id: str) -> None:
    for name in ("Alpha", "Beta", "Gamma"):
        make(cognito, pool_id, name)
    first = cognito.list_identity_providers(UserPoolId=pool_id, MaxResults=2)
    assert [p["ProviderName"] for p in first["Providers"]] == ["Alpha", "Beta"]
    assert set(first["Providers"][0]) == {"ProviderName", "ProviderType", "LastModifiedDate", "CreationDate"}
    rest = cognito.list_identity_providers(UserPoolId=pool_id, MaxResults=2, NextToken=first["NextToken"])
    assert [p["ProviderName"] for p in rest["Providers"]] == ["Gamma"] and "NextToken" not in rest
    assert len(cognito.list_identity_providers(UserPoolId=pool_id)["Providers"]) == 3


def test_taken_names_and_identifiers_are_duplicates(cognito: Any, pool_id: str) -> None:
    make(cognito, pool_id, "Corp", IdpIdentifiers=["corp"])
    with pytest.raises(cognito.exceptions.DuplicateProviderException):
        make(cognito, pool_id, "Corp")
    with pytest.raises(cognito.exceptions.DuplicateProviderException):
        make(cognito, pool_id, "Other", IdpIdentifiers=["corp"])
    make(cognito, pool_id, "Other")
    # UpdateIdentityProvider lists no DuplicateProviderException in botocore's model.
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="corp"):
        cognito.update_identity_provider(UserPoolId=pool_id, ProviderName="Other", IdpIdentifiers=["corp"])


@pytest.mark.parametrize("kind,name,details", [
    ("OIDC", "Corp", {k: v for k, v in OIDC.items() if k != "client_id"}),
    ("OIDC", "Corp", {k: v for k, v in OIDC.items() if k != "oidc_issuer"}),
    ("OIDC", "Corp", {k: v for k, v in OIDC.items() if k != "authorize_scopes"}),
    ("OIDC", "Corp", {**OIDC, "attributes_request_method": "PUT"}),
    ("Google", "Google", {"client_id": "g", "authorize_scopes": "openid"}),
    ("Google", "MyGoogle", {"client_id": "g", "client_secret": "s", "authorize_scopes": "openid"}),
    ("SignInWithApple", "SignInWithApple", {"client_id": "c", "authorize_scopes": "email", "key_id": "k"}),
    ("SAML", "Okta", {"IDPSignout": "true"}),
])
def test_incomplete_provider_details_are_refused(cognito: Any, pool_id: str, kind: str, name: str,
                                                 details: dict[str, str]) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        make(cognito, pool_id, name, kind, ProviderDetails=details)


def test_reserved_and_malformed_names_are_refused(cognito: Any, pool_id: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        make(cognito, pool_id, "COGNITO")
    with pytest.raises(cognito.exceptions.ClientError, match="ProviderName|providerName"):
        make(cognito, pool_id, "_bad")


def test_attribute_mapping_must_name_pool_attributes(cognito: Any, pool_id: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="custom:nope"):
        make(cognito, pool_id, AttributeMapping={"custom:nope": "x"})
    made = make(cognito, pool_id, AttributeMapping={"email": "mail", "email_verified": "email_verified",
                                                    "name": "name"})
    assert made["AttributeMapping"]["name"] == "name"


def test_unknown_provider_is_not_found(cognito: Any, pool_id: str) -> None:
    for call in (cognito.describe_identity_provider, cognito.delete_identity_provider):
        with pytest.raises(cognito.exceptions.ResourceNotFoundException):
            call(UserPoolId=pool_id, ProviderName="Nope")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.update_identity_provider(UserPoolId=pool_id, ProviderName="Nope", ProviderDetails=OIDC)


def test_clients_may_name_only_cognito_or_the_pool_s_providers(cognito: Any, pool_id: str) -> None:
    base = {"UserPoolId": pool_id, "ClientName": "web", "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"],
            "CallbackURLs": ["https://app.example.com/cb"]}
    with pytest.raises(cognito.exceptions.InvalidParameterException,
                       match=f"The provider Corp does not exist for User Pool {pool_id}"):
        cognito.create_user_pool_client(**base, SupportedIdentityProviders=["COGNITO", "Corp"])
    make(cognito, pool_id)
    client = cognito.create_user_pool_client(**base, SupportedIdentityProviders=["COGNITO", "Corp"])
    client_id = client["UserPoolClient"]["ClientId"]
    assert client["UserPoolClient"]["SupportedIdentityProviders"] == ["COGNITO", "Corp"]
    cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, SupportedIdentityProviders=["Corp"],
                                    **{k: v for k, v in base.items() if k not in ("UserPoolId", "ClientName")})
    # A provider a client names can be deleted; the client keeps the name (as observed of
    # Cognito), and an update repeating it is refused until it is taken off.
    cognito.delete_identity_provider(UserPoolId=pool_id, ProviderName="Corp")
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["SupportedIdentityProviders"] == ["Corp"]
    rest = {k: v for k, v in base.items() if k not in ("UserPoolId", "ClientName")}
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="The provider Corp does not exist"):
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, SupportedIdentityProviders=["Corp"],
                                        **rest)
    cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, SupportedIdentityProviders=["COGNITO"],
                                    **rest)
