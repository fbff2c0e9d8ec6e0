"""What the fuzz modules (test_fuzz_api.py, test_fuzz_hosted.py) share: Hypothesis
settings bounded for CI, the hostile values they mix into requests, and a live server
of their own with one of everything in it.

CI runs a fixed, derandomized set of examples (no example database, no deadline), so a
run is reproducible and its length bounded. To search further on your own machine:
FUZZ_SCALE=10 multiplies every example count, FUZZ_RANDOM=1 draws new examples each run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from .conftest import PASSWORD, LiveServer, confirmed_user, start_server

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"
CODE = "123456"  # the fuzz server sends this code for everything (--fixed-code)


def bounded(examples: int) -> settings:
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=None, derandomize=not RANDOM,
                    database=None, suppress_health_check=list(HealthCheck), print_blob=True)


# Strings no store or page should choke on: lone surrogates (only a \u escape in JSON can
# carry one), NUL, bidi and other controls, markup, SQL, templates, paths, CRLF, huge.
HOSTILE_STRINGS = [
    "\ud800", "a\udfffb", "\x00", "nul\x00in", "\u202egnp.exe", "\ufeff", "\U0001f4a5" * 8, "' OR 1=1 --",
    '"; DROP TABLE users; --', "<script>alert(1)</script>", "{{7*7}}${7*7}", "../../etc/passwd", "%s%n%x",
    "\r\nX-Injected: 1", "\\", '"', "null", "", " ", "\t\n", "a" * 4097, "x" * 300_000,
]
hostile_text = st.sampled_from(HOSTILE_STRINGS)
# Any JSON value, NaN and infinities and very long numbers included.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63, max_value=2**80)
    | st.floats() | st.text(max_size=20) | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
# Too deep for any recursive decoder: spliced into JSON text in place of this marker.
DEEP_MARKER = "\u0001deep\u0001"
DEEP_JSON = "[" * 5000 + "]" * 5000


class World:
    """A pool with a domain, a resource server, a group, two clients (public, secret),
    a confirmed user (alice, signed in) and an unconfirmed one (bob). Rebuilt, as a new
    pool, when a call may have broken it (deleted it, signed alice out...). Not a
    dataclass, so that Hypothesis shows a failing example without every token."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.refs: dict[str, str] = {}
        self.registered: set[str] = set()

    def build(self) -> None:
        cognito = self.server.client()
        tag = uuid.uuid4().hex[:8]
        pool = cognito.create_user_pool(PoolName=f"fuzz-{tag}", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        cognito.create_user_pool_domain(UserPoolId=pool, Domain=f"fuzz-{tag}")
        cognito.create_resource_server(UserPoolId=pool, Identifier="orders", Name="orders",
                                       Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
        cognito.create_group(UserPoolId=pool, GroupName="g")
        callbacks = ["https://app.example/cb", "http://localhost:3000/cb?from=fuzz", "myapp://signin"]
        logouts = ["https://app.example/signed-out"]
        oauth = {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code", "implicit"],
                 "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin", "orders/read"],
                 "CallbackURLs": callbacks, "LogoutURLs": logouts, "SupportedIdentityProviders": ["COGNITO"],
                 "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                       "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH"]}
        public = cognito.create_user_pool_client(UserPoolId=pool, ClientName="public", **oauth)["UserPoolClient"]
        secret = cognito.create_user_pool_client(UserPoolId=pool, ClientName="secret", GenerateSecret=True,
                                                 **oauth)["UserPoolClient"]
        confirmed_user(cognito, pool, "alice", email="alice@example.com")
        cognito.sign_up(ClientId=public["ClientId"], Username="bob", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
        self.refs = {
            "pool": pool, "no_pool": "us-east-1_NoSuchPool", "domain": f"fuzz-{tag}",
            "client": public["ClientId"], "secret_client": secret["ClientId"],
            "client_secret": secret["ClientSecret"],
        }
        self.registered = set(callbacks) | set(logouts)
        self.renew()

    def renew(self) -> None:
        """New tokens for alice (after a sign-out or a revocation); the whole world anew
        when she cannot sign in any more."""
        try:
            auth = self.server.client().initiate_auth(
                ClientId=self.refs["client"], AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]
        except Exception:  # whatever broke it, a new world mends it
            self.build()
            return
        self.refs.update(access=auth["AccessToken"], id=auth["IdToken"], refresh=auth["RefreshToken"])

    def __repr__(self) -> str:
        return f"World(pool={self.refs.get('pool')!r})"

    def resolve(self, value: Any) -> Any:
        """A drawn request with its Ref placeholders replaced by this world's values."""
        if isinstance(value, Ref):
            return self.refs[value.name]
        if isinstance(value, dict):
            return {self.resolve(k): self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value


@dataclass(frozen=True)
class Ref:
    """A value of the world (its pool id, a client id, a token) named in a drawn request
    and filled in when it is sent: the world may have been rebuilt since the draw."""

    name: str


def ref(*names: str) -> st.SearchStrategy[Ref]:
    return st.sampled_from([Ref(n) for n in names])


def fuzz_server(tmp: Path) -> LiveServer:
    return start_server(tmp, fixed_code=CODE)


def still_up(server: LiveServer) -> None:
    resp = httpx.get(f"{server.url}/health", timeout=10)
    assert resp.status_code == 200, resp.text


def served_world(tmp: Path) -> Iterator[World]:
    """A fuzz module's server and world; at the end, the server must still answer."""
    live = fuzz_server(tmp)
    built = World(live)
    built.build()
    yield built
    still_up(live)
    live.stop()
