"""The sign-in's steps as pages. A step of emulator/signin either finishes (the hosted
UI's `finish` turns that into the session cookie and the redirect to the app) or opens
a challenge, shown here: NEW_PASSWORD_REQUIRED, SMS_MFA / EMAIL_OTP / SMS_OTP /
SOFTWARE_TOKEN_MFA codes, SELECT_MFA_TYPE, and MFA_SETUP with a QR code for an
authenticator app. Answers go through the same `respond` as RespondToAuthChallenge."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from ..actions.auth import respond
from ..api import Response as ApiResponse
from ..errors import CognitoError
from ..records import User
from ..signin.core import spent
from ..urls import page_url
from .authorize import AuthRequest, begin_form, complete
from .federated import provider_links
from .web import View, call, page, secret_hash_of, validate

Finish = Callable[[User], Awaitable[ApiResponse]]
# Code challenges: the response key, and what the page says about where the code is.
CODE_KEYS = {"SMS_MFA": "SMS_MFA_CODE", "SMS_OTP": "SMS_OTP_CODE", "EMAIL_OTP": "EMAIL_OTP_CODE",
             "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE"}
METHOD_LABELS = {"SMS_MFA": "Text message (SMS)", "EMAIL_OTP": "Email",
                 "SOFTWARE_TOKEN_MFA": "Authenticator app"}


@dataclass
class Step:
    """An open challenge as the page carries it: its name, Session, user and what the
    page shows (where a code went, the MFA choices, required attributes, a TOTP secret)."""

    name: str
    session: str
    username: str
    hints: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_result(cls, result: ApiResponse) -> Step:
        params = result.get("ChallengeParameters") or {}
        hints: dict[str, str] = {}
        if "CODE_DELIVERY_DESTINATION" in params:
            hints["destination"] = params["CODE_DELIVERY_DESTINATION"]
        if "MFAS_CAN_CHOOSE" in params:
            hints["choices"] = ",".join(json.loads(params["MFAS_CAN_CHOOSE"]))
        if "requiredAttributes" in params:
            hints["required"] = ",".join(n.split(".", 1)[1] for n in json.loads(params["requiredAttributes"]))
        return cls(result["ChallengeName"], result.get("Session", ""), params.get("USER_ID_FOR_SRP", ""), hints)

    @classmethod
    def from_form(cls, form: dict[str, str]) -> Step:
        hints = {k[5:]: v for k, v in form.items() if k.startswith("hint_")}
        return cls(form.get("challenge", ""), form.get("session", ""), form.get("username", ""), hints)

    def hidden(self) -> dict[str, str]:
        return {"challenge": self.name, "session": self.session, "username": self.username,
                **{f"hint_{k}": v for k, v in self.hints.items()}}

    def listed(self, hint: str) -> list[str]:
        return [v for v in self.hints.get(hint, "").split(",") if v]


def links(view: View, areq: AuthRequest) -> dict[str, str]:
    base, params = view.ctx.base_url, areq.params()
    return {"login": page_url(base, "/login", params), "signup": page_url(base, "/signup", params),
            "forgot": page_url(base, "/forgotPassword", params)}


def login_form(view: View, areq: AuthRequest, *, error: str = "", notice: str = "", username: str = "",
               status: int = 200) -> Response:
    """The first page of a sign-in, and where every dead end leads back to."""
    return view.render("login.html", status, title="Sign in", hidden=areq.params(), links=links(view, areq),
                       error=error, notice=notice, username=username, providers=provider_links(view, areq),
                       cognito=areq.cognito)


async def run(view: View, areq: AuthRequest, step: Callable[[Finish], Awaitable[ApiResponse]]) -> Response:
    """Run one sign-in step: back to the app when it finishes, else its challenge page."""
    done: list[User] = []

    async def finish(user: User) -> ApiResponse:
        done.append(user)
        return {}

    result = await step(finish)
    if done:
        return await complete(view, areq, done[0])
    return await show(view, areq, Step.from_result(result))


async def show(view: View, areq: AuthRequest, step: Step, error: str = "", status: int = 200) -> Response:
    hidden = {**areq.params(), **step.hidden()}
    common: dict[str, Any] = {"hidden": hidden, "error": error}
    if step.name == "NEW_PASSWORD_REQUIRED":
        return view.render("new_password.html", status, title="Choose a new password",
                           required=step.listed("required"), **common)
    if step.name == "SELECT_MFA_TYPE":
        choices = [(c, METHOD_LABELS.get(c, c)) for c in step.listed("choices")]
        return view.render("mfa_select.html", status, title="Choose how to verify", choices=choices, **common)
    if step.name == "MFA_SETUP":
        return await _setup_page(view, areq, step, error, status)
    if step.name in CODE_KEYS:
        return view.render("mfa_code.html", status, title="Enter your code", challenge=step.name,
                           destination=step.hints.get("destination", ""), **common)
    return view.error("Sign-in step not supported",
                      f"The hosted UI cannot answer the {step.name} challenge; use the API for it.")


async def _setup_page(view: View, areq: AuthRequest, step: Step, error: str, status: int) -> Response:
    """MFA_SETUP: a new authenticator secret (AssociateSoftwareToken by Session), shown as
    an otpauth:// QR code and as text."""
    assert view.pool is not None
    if not step.hints.get("secret"):
        associated = await call(view.ctx, "AssociateSoftwareToken", {"Session": step.session})
        step.session = associated["Session"]
        step.hints["secret"] = associated["SecretCode"]
    secret = step.hints["secret"]
    label = quote(f"{view.pool.name}:{step.username}")
    uri = f"otpauth://totp/{label}?secret={secret}&issuer={quote(view.pool.name)}"
    import segno  # only authenticator setup pages draw a QR code

    qr = Markup(segno.make(uri, error="m").svg_inline(scale=5, dark="#111", light="#fff"))
    hidden = {**areq.params(), **step.hidden()}
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return view.render("mfa_setup.html", status, title="Set up your authenticator", hidden=hidden,
                       error=error, qr=qr, secret=grouped, otpauth=uri)


async def _responses(view: View, step: Step, form: dict[str, str]) -> dict[str, str] | str:
    """ChallengeResponses for the step from the form, or what the user must fix."""
    assert view.client is not None
    base = {"USERNAME": step.username, **secret_hash_of(view.client, step.username)}
    code = form.get("code", "").strip().replace(" ", "")
    if step.name == "NEW_PASSWORD_REQUIRED":
        if form.get("password", "") != form.get("password2", ""):
            return "The two passwords do not match."
        attributes = {f"userAttributes.{n}": form.get(f"attr_{n}", "") for n in step.listed("required")}
        return {**base, "NEW_PASSWORD": form.get("password", ""), **attributes}
    if step.name == "SELECT_MFA_TYPE":
        return {**base, "ANSWER": form.get("answer", "")}
    if not code:
        return "Enter the code."
    if step.name == "MFA_SETUP":
        verified = await call(view.ctx, "VerifySoftwareToken", {"Session": step.session, "UserCode": code})
        step.session = verified["Session"]
        return base
    return {**base, CODE_KEYS[step.name]: code}


@page
async def answer(request: Request, form: dict[str, str]) -> Response:
    """POST /challenge: one answer, through RespondToAuthChallenge's own code path."""
    started = begin_form(request, form)
    if isinstance(started, Response):
        return started
    view, areq, pool, client = started
    step = Step.from_form(form)
    if step.name not in CODE_KEYS and step.name not in ("NEW_PASSWORD_REQUIRED", "SELECT_MFA_TYPE", "MFA_SETUP"):
        return view.error("Sign-in step not supported", "This page does not answer that challenge.")
    try:
        responses = await _responses(view, step, form)
        if isinstance(responses, str):
            return await show(view, areq, step, responses, 400)
        req = {"ClientId": client.id, "ChallengeName": step.name, "Session": step.session,
               "ChallengeResponses": responses}
        validate("RespondToAuthChallenge", req)
        return await run(view, areq, lambda finish: respond(view.ctx, pool, client, req, False, finish))
    except CognitoError as err:
        held = view.ctx.store.get_challenge(step.session)
        if held is None or held.expires <= view.ctx.now() or spent(held):
            # The challenge is spent or expired: only a new sign-in helps.
            return login_form(view, areq, error=f"{err.message} Sign in again.", status=400)
        return await show(view, areq, step, err.message, 400)
