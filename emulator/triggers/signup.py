"""PreSignUp and PostConfirmation: what their events carry and what a PreSignUp
response changes about the user about to be created."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InvalidLambdaResponseException
from . import invoke, target

if TYPE_CHECKING:
    from ..api import Context
    from ..records import Pool, User


AUTO = ("autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone")


@dataclass
class SignUpAnswer:
    """What PreSignUp decided: confirm the user now, and which contacts count as verified."""

    confirm: bool = False
    verify: tuple[str, ...] = ()


def metadata(req: dict[str, Any]) -> dict[str, str]:
    return dict(req.get("ClientMetadata") or {})


def attribute_map(items: list[dict[str, str]] | None) -> dict[str, str]:
    return {a["Name"]: a.get("Value", "") for a in items or []}


async def pre_sign_up(ctx: Context, pool: Pool, source: str, username: str, attributes: dict[str, str],
                      req: dict[str, Any], client_id: str | None) -> SignUpAnswer:
    """PreSignUp_SignUp / PreSignUp_AdminCreateUser before the user exists: a failure
    creates nobody. The response counts for SignUp only."""
    if target(ctx, pool, "PreSignUp") is None:
        return SignUpAnswer()
    request = {"userAttributes": dict(attributes), "validationData": attribute_map(req.get("ValidationData")),
               "clientMetadata": metadata(req)}
    # Cognito's event arrives with the three answers false.
    response = await invoke(ctx, pool, "PreSignUp", source, user_name=username, request=request,
                            client_id=client_id, response=dict.fromkeys(AUTO, False))
    if not response or source != "PreSignUp_SignUp":
        return SignUpAnswer()
    verify: list[str] = []
    for key, attribute in (("autoVerifyPhone", "phone_number"), ("autoVerifyEmail", "email")):
        if response.get(key) is True:
            # Cognito: "the email attribute must have a valid, non-null value".
            if not attributes.get(attribute):
                raise InvalidLambdaResponseException(
                    f"Invalid lambda response: {key} is true but the user has no {attribute}.")
            verify.append(attribute)
    return SignUpAnswer(confirm=response.get("autoConfirmUser") is True, verify=tuple(verify))


def user_attributes(user: User) -> dict[str, str]:
    """A user's attributes as triggers see them: sub and cognito:user_status included."""
    return {"sub": user.sub, **user.attributes, "cognito:user_status": user.status}


async def post_confirmation(ctx: Context, pool: Pool, user: User, source: str, req: dict[str, Any],
                            client_id: str | None) -> None:
    """After the confirmation is written: as in Cognito, a failing function fails the call,
    but the user stays confirmed."""
    if target(ctx, pool, "PostConfirmation") is None:
        return
    await invoke(ctx, pool, "PostConfirmation", source, user_name=user.username, client_id=client_id,
                 request={"userAttributes": user_attributes(user), "clientMetadata": metadata(req)})
