"""The emulator's records: what the store returns and takes. Only `to_wire()` knows
Cognito's field names."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

# In a client's config: its active secrets when it has more than the one it was created
# with (AddUserPoolClientSecret), [{"Id", "Value", "Created"}] oldest first.
SECRETS_KEY = "_ClientSecrets"


def same_secret(expected: str, given: str) -> bool:
    """Constant-time equality over UTF-8 bytes: hmac.compare_digest refuses str with
    non-ASCII characters (a TypeError, so a 500), and callers send any text."""
    return hmac.compare_digest(expected.encode(), given.encode())


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def secret_id(client_id: str, created: float) -> str:
    """`<client-id>--<epoch-create-time>` (ClientSecretDescriptorType), in milliseconds."""
    return f"{client_id}--{round(created * 1000)}"


@dataclass
class Pool:
    id: str
    name: str
    created: float
    modified: float
    # Settings in the shape of CreateUserPool's request (Policies, Schema, ...), so a
    # Describe is this dict plus the derived fields.
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def case_sensitive(self) -> bool:
        return bool(self.config.get("UsernameConfiguration", {}).get("CaseSensitive", True))

    def arn(self, region: str, account: str) -> str:
        return f"arn:aws:cognito-idp:{region}:{account}:userpool/{self.id}"

    def to_wire(self, region: str, account: str, estimated_users: int) -> dict[str, Any]:
        # Keys starting with "_" are the emulator's own (e.g. MFA method settings).
        out = copy.deepcopy({k: v for k, v in self.config.items() if not k.startswith("_")})
        out.update(
            Id=self.id,
            Name=self.name,
            Arn=self.arn(region, account),
            CreationDate=self.created,
            LastModifiedDate=self.modified,
            EstimatedNumberOfUsers=estimated_users,
        )
        return out

    def to_wire_summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Id": self.id,
            "Name": self.name,
            "LastModifiedDate": self.modified,
            "CreationDate": self.created,
        }
        if "LambdaConfig" in self.config:
            out["LambdaConfig"] = self.config["LambdaConfig"]
        return out


@dataclass
class Client:
    id: str
    pool_id: str
    name: str
    created: float
    modified: float
    secret: str | None = None
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def secrets(self) -> list[dict[str, Any]]:
        """The active secrets, oldest first: the stored list, or the one the client was
        created with (its id from the client's creation time)."""
        stored = self.config.get(SECRETS_KEY)
        if stored is not None:
            return list(stored)
        if not self.secret:
            return []
        return [{"Id": secret_id(self.id, self.created), "Value": self.secret, "Created": self.created}]

    def set_secrets(self, secrets: list[dict[str, Any]]) -> None:
        """Keep `secret` (what DescribeUserPoolClient shows) the oldest active one."""
        self.config[SECRETS_KEY] = secrets
        self.secret = secrets[0]["Value"] if secrets else None

    def accepts_secret(self, given: str | None) -> bool:
        """Any active secret, compared in constant time; a client without one needs none.
        Every check of a raw secret (ClientSecret members, /oauth2/token) comes here."""
        if not self.secret:
            return True
        # A list, not a generator: every secret is compared, whichever one matches.
        return bool(given) and any([same_secret(s["Value"], given or "") for s in self.secrets])

    def accepts_secret_hash(self, given: str, *usernames: str) -> bool:
        """A SECRET_HASH made with any active secret over any of the names."""
        return any([same_secret(secret_hash(s["Value"], name, self.id), given)
                    for s in self.secrets for name in usernames])

    def to_wire(self) -> dict[str, Any]:
        # Keys starting with "_" are the emulator's own (e.g. the added secrets).
        out = copy.deepcopy({k: v for k, v in self.config.items() if not k.startswith("_")})
        out.update(
            UserPoolId=self.pool_id,
            ClientName=self.name,
            ClientId=self.id,
            LastModifiedDate=self.modified,
            CreationDate=self.created,
        )
        if self.secret:
            out["ClientSecret"] = self.secret
        return out


@dataclass
class User:
    pool_id: str
    username: str
    sub: str
    status: str
    enabled: bool
    created: float
    modified: float
    attributes: dict[str, str] = field(default_factory=dict)
    password_hash: str | None = None
    password_set: float = 0.0
    # Emulator-side state that is not an attribute: pending attribute updates, MFA...
    extra: dict[str, Any] = field(default_factory=dict)

    def attribute_list(self, names: set[str] | None = None) -> list[dict[str, str]]:
        attrs = {"sub": self.sub, **self.attributes}
        return [{"Name": k, "Value": v} for k, v in attrs.items() if names is None or k in names]

    def to_wire(self, names: set[str] | None = None) -> dict[str, Any]:
        """UserType, as ListUsers and AdminCreateUser return it."""
        return {
            "Username": self.username,
            "Attributes": self.attribute_list(names),
            "UserCreateDate": self.created,
            "UserLastModifiedDate": self.modified,
            "Enabled": self.enabled,
            "UserStatus": self.status,
        }


@dataclass
class Group:
    pool_id: str
    name: str
    created: float
    modified: float
    description: str | None = None
    role_arn: str | None = None
    precedence: int | None = None

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "GroupName": self.name,
            "UserPoolId": self.pool_id,
            "LastModifiedDate": self.modified,
            "CreationDate": self.created,
        }
        if self.description is not None:
            out["Description"] = self.description
        if self.role_arn is not None:
            out["RoleArn"] = self.role_arn
        if self.precedence is not None:
            out["Precedence"] = self.precedence
        return out


@dataclass
class TokenSession:
    """One sign-in, as its refresh token carries it (issuing.py seals it into the token;
    nothing is stored): the refresh token and every access and ID token minted from it
    share `origin_jti`."""

    origin_jti: str
    pool_id: str
    client_id: str
    username: str
    sub: str
    auth_time: int
    iat: int  # the sign-in's whole second: the `iat` of its first access and ID tokens
    created: float  # the sign-in's precise time
    expires: float
    # Space-separated OAuth scopes for a hosted-UI / OAuth sign-in; None for the API's.
    scopes: str | None = None
    device_key: str | None = None  # the confirmed device a sign-in used (the access tokens' `device_key`)
    # The device a sign-in was handed (NewDeviceMetadata): its refresh tokens are bound to
    # it, and work once it is confirmed (refreshing.py).
    new_device: str | None = None
    # Refresh-token rotation (refreshing.py): which token of the family this is; None
    # for the sign-in's own (generation 0).
    generation: int | None = None

    def to_claims(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> TokenSession:
        """TypeError or ValueError if the claims are not a session's."""
        session = cls(**claims)
        for name, kind in (("origin_jti", str), ("pool_id", str), ("client_id", str), ("username", str),
                           ("sub", str), ("auth_time", int), ("iat", int), ("created", (int, float)),
                           ("expires", (int, float)), ("scopes", (str, type(None))),
                           ("device_key", (str, type(None))), ("new_device", (str, type(None))),
                           ("generation", (int, type(None)))):
            if not isinstance(getattr(session, name), kind):
                raise TypeError(f"{name} is not a {kind}")
        return session


@dataclass
class Challenge:
    """A pending auth challenge, addressed by its opaque Session string."""

    session: str
    pool_id: str
    client_id: str
    username: str
    name: str
    created: float
    expires: float
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Domain:
    """A user pool domain: a prefix (`myapp`) or a custom domain (`auth.example.com`)."""

    domain: str
    pool_id: str
    created: float
    custom_config: dict[str, Any] | None = None
    managed_login_version: int = 1

    def to_wire(self, account: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "UserPoolId": self.pool_id, "AWSAccountId": account, "Domain": self.domain,
            "Status": "ACTIVE", "Version": str(int(self.created)),
            "ManagedLoginVersion": self.managed_login_version,
        }
        if self.custom_config:
            out["CustomDomainConfig"] = copy.deepcopy(self.custom_config)
        return out


@dataclass
class ResourceServer:
    pool_id: str
    identifier: str
    name: str
    scopes: list[dict[str, str]] = field(default_factory=list)

    def scope_names(self) -> list[str]:
        return [f"{self.identifier}/{s['ScopeName']}" for s in self.scopes]

    def to_wire(self) -> dict[str, Any]:
        return {"UserPoolId": self.pool_id, "Identifier": self.identifier, "Name": self.name,
                "Scopes": copy.deepcopy(self.scopes)}


@dataclass
class UICustomization:
    """Hosted-UI branding of a pool (client_id "ALL") or of one app client."""

    pool_id: str
    client_id: str
    created: float
    modified: float
    css: str | None = None
    # The logo, base64 (so snapshots stay JSON), and its media type.
    image: str | None = None
    image_type: str | None = None


@dataclass
class AuthCode:
    """An OAuth authorization code: single use, bound to client, redirect URI and PKCE."""

    pool_id: str
    client_id: str
    username: str
    redirect_uri: str
    scopes: str
    auth_time: int
    expires: float
    challenge: str | None = None
    challenge_method: str | None = None
    nonce: str | None = None
    sso_session: str | None = None  # the SSO session the code came through (session tracking)


@dataclass
class HostedSession:
    """The hosted UI's sign-in cookie: who is signed in to a pool's pages, until when; the
    client it began with and when it was last used (an SSO session, sessions.py)."""

    pool_id: str
    username: str
    auth_time: int
    expires: float
    client_id: str | None = None
    created: float | None = None
    last_active: float | None = None


@dataclass
class ImportJob:
    """A user import job (CreateUserImportJob); `header`: the uploaded CSV's columns,
    `failures`: the first rows that failed, as {"row", "username", "reason"}."""

    job_id: str
    pool_id: str
    name: str
    created: float
    status: str
    role_arn: str
    upload_token: str
    started: float | None = None
    completed: float | None = None
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    message: str | None = None
    header: list[str] | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)
    records: int = 0  # the upload's newlines: at least its count of records (the subs' strata)

    def to_wire(self, upload_url: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "JobName": self.name, "JobId": self.job_id, "UserPoolId": self.pool_id, "PreSignedUrl": upload_url,
            "CreationDate": self.created, "Status": self.status, "CloudWatchLogsRoleArn": self.role_arn,
            "ImportedUsers": self.imported, "SkippedUsers": self.skipped, "FailedUsers": self.failed,
        }
        for key, value in (("StartDate", self.started), ("CompletionDate", self.completed),
                           ("CompletionMessage", self.message)):
            if value is not None:
                out[key] = value
        return out


@dataclass
class Device:
    """A user's device: handed out by a sign-in (NewDeviceMetadata), confirmed with its
    SRP verifier (ConfirmDevice), remembered or not (UpdateDeviceStatus)."""

    device_key: str
    pool_id: str
    sub: str
    group_key: str
    status: str  # remembered | not_remembered
    confirmed: bool
    created: float
    modified: float
    salt: str | None = None  # hex, as the SRP helpers take it
    verifier: str | None = None
    name: str | None = None
    last_auth: float | None = None
    last_ip: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """DeviceType."""
        attributes = [{"Name": "device_status", "Value": "valid"}]
        if self.name:
            attributes.append({"Name": "device_name", "Value": self.name})
        attributes.append({"Name": "dev:device_remembered_status", "Value": self.status})
        if self.last_ip:
            attributes.append({"Name": "last_ip_used", "Value": self.last_ip})
        out: dict[str, Any] = {"DeviceKey": self.device_key, "DeviceAttributes": attributes,
                               "DeviceCreateDate": self.created, "DeviceLastModifiedDate": self.modified}
        if self.last_auth is not None:
            out["DeviceLastAuthenticatedDate"] = self.last_auth
        return out


@dataclass
class UserSession:
    """A tracked session (sessions.py): a token session, one sign-in's token family
    (`tkn...`), or an SSO session, the hosted UI's cookie session (`sso...`, never stored
    here: its `origin_jti` is the cookie's hash)."""

    session_id: str
    pool_id: str
    sub: str
    client_id: str
    origin_jti: str
    iat: int
    created: float
    last_active: float
    expires: float
    origin_session: str | None = None  # a token session's SSO session

    @property
    def sso(self) -> bool:
        return self.session_id.startswith("sso")

    def to_wire(self) -> dict[str, Any]:
        """SessionDescriptionType's members (IsCurrentSession is the caller's to add)."""
        out: dict[str, Any] = {"SessionId": self.session_id, "SessionType": "SSO" if self.sso else "TOKEN",
                               "ClientId": self.client_id, "CreateDate": self.created,
                               "LastActiveDate": self.last_active}
        if self.origin_session:
            out["OriginSessionId"] = self.origin_session
        return out
