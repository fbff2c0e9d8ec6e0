"""Self-service pages: /signup and its confirmation code (/confirm), /forgotPassword and
/confirmForgotPassword, each a thin view over the action the JSON API runs (SignUp,
ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword).

Signing up and confirming in one browser signs the user in, as Cognito's pages do: the
sign-up leaves a short-lived proof (a challenge record only these pages answer), and
the confirmation goes on from the point a proven password reaches (after_password)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import ids
from ..accounts import password_policy
from ..attributes import schema_of, writable
from ..errors import CognitoError
from ..lookup import find_user
from ..records import Challenge, Client, Pool
from ..signin.core import Attempt
from ..signin.mfa_steps import after_password
from ..urls import page_url
from .authorize import AuthRequest, begin, begin_form
from .challenges import links, run
from .web import View, call, page, secret_hash_of

SIGNUP_PROOF = "HOSTED_SIGNUP"  # never a ChallengeName, so RespondToAuthChallenge cannot use it
PROOF_SECONDS = 3600
LABELS = {"email": "Email", "phone_number": "Phone number", "given_name": "Given name",
          "family_name": "Family name", "middle_name": "Middle name", "preferred_username": "Preferred username",
          "birthdate": "Date of birth", "zoneinfo": "Time zone", "updated_at": "Updated at"}
INPUTS = {"email": ("email", "email"), "phone_number": ("tel", "tel"), "name": ("text", "name"),
          "given_name": ("text", "given-name"), "family_name": ("text", "family-name"),
          "birthdate": ("date", "bday"), "website": ("url", "url"), "nickname": ("text", "nickname")}
PHONE_HINT = "International format, for example +15555550100."


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"
    autocomplete: str = "off"
    required: bool = True
    hint: str = ""


def _attribute_field(name: str, required: bool) -> Field:
    label = LABELS.get(name) or name.removeprefix("custom:").replace("_", " ").capitalize()
    kind, autocomplete = INPUTS.get(name, ("text", "off"))
    return Field(f"attr_{name}", label, kind, autocomplete, required, PHONE_HINT if kind == "tel" else "")


def signup_fields(pool: Pool, client: Client) -> list[Field]:
    """The username (or email / phone when they are the sign-in name), then the pool's
    required attributes and contacts it verifies; email is offered in any case."""
    sign_in = pool.config.get("UsernameAttributes") or []
    if sign_in == ["email"]:
        username = Field("username", "Email", "email", "email")
    elif sign_in == ["phone_number"]:
        username = Field("username", "Phone number", "tel", "tel", hint=PHONE_HINT)
    elif sign_in:
        username = Field("username", "Email or phone number", "text", "username")
    else:
        username = Field("username", "Username", "text", "username")
    schema, auto = schema_of(pool), pool.config.get("AutoVerifiedAttributes") or []
    wanted = {n: True for n in ("email", "phone_number") if n in auto}
    wanted.update({n: True for n, e in schema.items() if e.get("Required") and n != "sub"})
    wanted.setdefault("email", False)
    allowed = writable(client, pool)
    return [username] + [_attribute_field(n, req) for n, req in wanted.items()
                         if n not in sign_in and n in allowed]


def password_hint(pool: Pool) -> str:
    policy = password_policy(pool)
    needs = [word for key, word in (("RequireUppercase", "an uppercase letter"), ("RequireLowercase",
             "a lowercase letter"), ("RequireNumbers", "a number"), ("RequireSymbols", "a symbol")) if policy.get(key)]
    text = f"At least {policy.get('MinimumLength', 8)} characters"
    if needs:
        text += ", with " + (", ".join(needs[:-1]) + " and " + needs[-1] if len(needs) > 1 else needs[0])
    return text + "."


def _signup_form(view: View, areq: AuthRequest, *, error: str = "", values: dict[str, str] | None = None,
                 status: int = 200) -> Response:
    assert view.pool is not None and view.client is not None
    return view.render("signup.html", status, title="Create an account", hidden=areq.params(),
                       links=links(view, areq), fields=signup_fields(view.pool, view.client),
                       password_hint=password_hint(view.pool), values=values or {}, error=error)


@page
async def signup(request: Request, query: dict[str, str]) -> Response:
    started = begin(request, query)
    return started if isinstance(started, Response) else _signup_form(*started)


@page
async def signup_post(request: Request, form: dict[str, str]) -> Response:
    started = begin_form(request, form)
    if isinstance(started, Response):
        return started
    view, areq, pool, client = started
    fields = signup_fields(pool, client)
    values = {f.name: form.get(f.name, "").strip() for f in fields}
    missing = [f.label for f in fields if f.required and not values[f.name]]
    if missing or not form.get("password"):
        return _signup_form(view, areq, error=f"Fill in {', '.join(missing or ['Password'])}.", values=values,
                            status=400)
    username = values["username"]
    attributes = [{"Name": f.name[5:], "Value": values[f.name]} for f in fields[1:] if values[f.name]]
    try:
        result = await call(view.ctx, "SignUp", {
            "ClientId": client.id, "Username": username, "Password": form["password"],
            "UserAttributes": attributes, **secret_hash_of(client, username, "SecretHash")})
    except CognitoError as err:
        return _signup_form(view, areq, error=err.message, values=values, status=400)
    delivery = result.get("CodeDeliveryDetails")
    if not delivery:
        return view.render("message.html", title="Account created", notice="Your account has been created. "
                           "This user pool sends no confirmation code: an administrator confirms new accounts.")
    return confirm_page(view, areq, username, delivery, proof=_leave_proof(view, username))


def _leave_proof(view: View, username: str) -> str:
    assert view.pool is not None and view.client is not None
    user = find_user(view.ctx, view.pool, username)
    proof = ids.opaque(32)
    now = view.ctx.now()
    view.ctx.store.put_challenge(Challenge(
        session=proof, pool_id=view.pool.id, client_id=view.client.id, username=user.username if user else "",
        name=SIGNUP_PROOF, created=now, expires=now + PROOF_SECONDS))
    return proof


def confirm_page(view: View, areq: AuthRequest, username: str, delivery: dict[str, Any], *, proof: str = "",
                 notice: str = "", error: str = "", status: int = 200) -> Response:
    destination = delivery.get("Destination", "")
    return view.render("confirm.html", status, title="Confirm your account", error=error, notice=notice,
                       destination=destination, links=links(view, areq), username=username,
                       hidden={**areq.params(), "username": username, "proof": proof, "destination": destination})


@page
async def confirm_post(request: Request, form: dict[str, str]) -> Response:
    started = begin_form(request, form)
    if isinstance(started, Response):
        return started
    view, areq, pool, client = started
    username, proof = form.get("username", ""), form.get("proof", "")
    delivery = {"Destination": form.get("destination", "")}
    body: dict[str, Any] = {"ClientId": client.id, "Username": username,
                            **secret_hash_of(client, username, "SecretHash")}
    try:
        if form.get("action") == "resend":
            sent = await call(view.ctx, "ResendConfirmationCode", body)
            return confirm_page(view, areq, username, sent["CodeDeliveryDetails"], proof=proof,
                                notice="We sent you a new code.")
        if not form.get("code", "").strip():
            return confirm_page(view, areq, username, delivery, proof=proof, error="Enter the code.", status=400)
        await call(view.ctx, "ConfirmSignUp", {**body, "ConfirmationCode": form["code"].strip()})
    except CognitoError as err:
        return confirm_page(view, areq, username, delivery, proof=proof, error=err.message, status=400)
    user = find_user(view.ctx, pool, username)
    held = view.ctx.store.get_challenge(proof) if proof else None
    if user is None or held is None or held.name != SIGNUP_PROOF or held.client_id != client.id \
            or held.username != user.username or held.expires <= view.ctx.now():
        return RedirectResponse(page_url(view.ctx.base_url, "/login", {**areq.params(), "notice": "confirmed"}), 302)
    view.ctx.store.delete_challenge(proof)
    return await run(view, areq, lambda finish: after_password(Attempt(view.ctx, pool, client, {}, False, finish), user))


# -- forgotten passwords ----------------------------------------------------------------------


def _forgot_form(view: View, areq: AuthRequest, *, error: str = "", username: str = "",
                 status: int = 200) -> Response:
    return view.render("forgot.html", status, title="Reset your password", hidden=areq.params(),
                       links=links(view, areq), error=error, username=username)


@page
async def forgot(request: Request, query: dict[str, str]) -> Response:
    started = begin(request, query)
    return started if isinstance(started, Response) else _forgot_form(*started)


@page
async def forgot_post(request: Request, form: dict[str, str]) -> Response:
    started = begin_form(request, form)
    if isinstance(started, Response):
        return started
    view, areq, _, client = started
    username = form.get("username", "").strip()
    if not username:
        return _forgot_form(view, areq, error="Enter your username.", status=400)
    try:
        sent = await call(view.ctx, "ForgotPassword", {"ClientId": client.id, "Username": username,
                                                       **secret_hash_of(client, username, "SecretHash")})
    except CognitoError as err:
        return _forgot_form(view, areq, error=err.message, username=username, status=400)
    return reset_page(view, areq, username, sent["CodeDeliveryDetails"])


def reset_page(view: View, areq: AuthRequest, username: str, delivery: dict[str, Any], *, notice: str = "",
               error: str = "", status: int = 200) -> Response:
    assert view.pool is not None
    destination = delivery.get("Destination", "")
    return view.render("reset.html", status, title="Choose a new password", error=error, notice=notice,
                       destination=destination, password_hint=password_hint(view.pool), links=links(view, areq),
                       hidden={**areq.params(), "username": username, "destination": destination})


@page
async def reset_post(request: Request, form: dict[str, str]) -> Response:
    started = begin_form(request, form)
    if isinstance(started, Response):
        return started
    view, areq, _, client = started
    username = form.get("username", "")
    delivery = {"Destination": form.get("destination", "")}
    code, password = form.get("code", "").strip(), form.get("password", "")
    problem = ("Enter the code and a new password." if not (username and code and password)
               else "The two passwords do not match." if password != form.get("password2", "") else "")
    if problem:
        return reset_page(view, areq, username, delivery, error=problem, status=400)
    try:
        await call(view.ctx, "ConfirmForgotPassword", {
            "ClientId": client.id, "Username": username, "Password": password, "ConfirmationCode": code,
            **secret_hash_of(client, username, "SecretHash")})
    except CognitoError as err:
        return reset_page(view, areq, username, delivery, error=err.message, status=400)
    return RedirectResponse(page_url(view.ctx.base_url, "/login", {**areq.params(), "notice": "password_reset"}), 302)
