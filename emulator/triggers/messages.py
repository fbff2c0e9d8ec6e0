"""CustomMessage: the pool's function rewrites a code or invitation message before it
is sent. Its answer must keep the code placeholder (and, in an invitation, the username
one), else Cognito's InvalidLambdaResponseException."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InvalidLambdaResponseException
from . import invoke
from .signup import user_attributes

if TYPE_CHECKING:
    from ..api import Context
    from ..records import Pool, User

CODE = "{####}"
USERNAME = "{username}"
# Outbox kinds -> trigger sources (AUTHENTICATION: an MFA code).
SOURCES = {
    "SIGN_UP": "SignUp", "ADMIN_CREATE_USER": "AdminCreateUser", "RESEND_CODE": "ResendCode",
    "FORGOT_PASSWORD": "ForgotPassword", "UPDATE_USER_ATTRIBUTE": "UpdateUserAttribute",
    "VERIFY_USER_ATTRIBUTE": "VerifyUserAttribute", "AUTHENTICATION": "Authentication",
}


async def custom_message(ctx: Context, pool: Pool, user: User, message: dict[str, Any]) -> None:
    """Rewrite `message` (an outbox row about to be recorded) by the function's answer."""
    invitation = message["kind"] == "ADMIN_CREATE_USER"
    request = {
        "userAttributes": user_attributes(user), "codeParameter": CODE,
        "usernameParameter": USERNAME if invitation else None, "linkParameter": "{##Click Here##}",
        "clientMetadata": dict(ctx.client_metadata),
    }
    response = await invoke(
        ctx, pool, "CustomMessage", "CustomMessage_" + SOURCES[message["kind"]], user_name=user.username,
        request=request, client_id=None if invitation else ctx.client_id,
        response={"smsMessage": None, "emailMessage": None, "emailSubject": None})
    if not response:
        return
    email = message["channel"] == "EMAIL"
    text = response.get("emailMessage" if email else "smsMessage")
    if text is not None:
        if not isinstance(text, str) or CODE not in text or (invitation and USERNAME not in text):
            raise InvalidLambdaResponseException(
                "Invalid lambda response: the message must contain the code parameter"
                + (" and the username parameter." if invitation else "."))
        code = str(message["code"] or "")
        message["body"] = text.replace(USERNAME, user.username).replace(CODE, code)
    subject = response.get("emailSubject")
    if email and isinstance(subject, str) and subject:
        message["subject"] = subject

