"""CustomMessage: the pool's function rewrites a code or invitation message before it
is sent. Its answer must keep the code placeholder (and, in an invitation, the username
one), else Cognito's InvalidLambdaResponseException."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..errors import InvalidLambdaResponseException
from . import invoke, invoke_later, target
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



SENDERS = {"EMAIL": ("CustomEmailSender", "customEmailSenderRequestV1"),
           "SMS": ("CustomSMSSender", "customSMSSenderRequestV1")}


def encoded_code(code: str | None) -> str | None:
    """What `request.code` holds. Cognito encrypts the code with the pool's KMSKeyID (a
    handler decrypts it with the AWS Encryption SDK); with no KMS here, the emulator sends
    the code base64-encoded: a handler under test reads it with base64.b64decode."""
    return base64.b64encode(code.encode()).decode() if code else None


def custom_sender(ctx: Context, pool: Pool, user: User, message: dict[str, Any]) -> Callable[[], Awaitable[None]] | None:
    """The after-commit step handing `message`'s code to the pool's custom email or SMS
    sender (an `Event` invocation), or None when the pool has none for its channel."""
    trigger, request_type = SENDERS[message["channel"]]
    found = target(ctx, pool, trigger)
    if found is None:
        return None
    invitation = message["kind"] == "ADMIN_CREATE_USER"
    return invoke_later(
        ctx, pool, found, f"{trigger}_{SOURCES[message['kind']]}", user_name=user.username,
        client_id=None if invitation else ctx.client_id,
        request={"type": request_type, "code": encoded_code(message["code"]),
                 "userAttributes": user_attributes(user), "clientMetadata": dict(ctx.client_metadata)})
