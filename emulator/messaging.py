"""Everything Cognito would email or text: codes and invitations, rendered from the
pool's templates, recorded in the outbox (and logged as one line), optionally also
sent over SMTP; plus the codes themselves and Cognito's hourly attempt caps."""

from __future__ import annotations

import logging
import secrets
import smtplib
from email.message import EmailMessage
from typing import Any

from . import offload, triggers
from .api import Context
from .errors import CodeMismatchException, ExpiredCodeException, LimitExceededException
from .lookup import user_key
from .records import Pool, User
from .triggers.messages import custom_message, custom_sender

log = logging.getLogger("emulator.outbox")

DEFAULT_VERIFICATION = {
    "SmsMessage": "Your verification code is {####}. ",
    "EmailMessage": "Your verification code is {####}. ",
    "EmailSubject": "Your verification code",
}
DEFAULT_INVITATION = {
    "SMSMessage": "Your username is {username} and temporary password is {####}. ",
    "EmailMessage": "Your username is {username} and temporary password is {####}. ",
    "EmailSubject": "Your temporary password",
}
CHANNEL_OF = {"email": "EMAIL", "phone_number": "SMS"}
ATTRIBUTE_OF = {"EMAIL": "email", "SMS": "phone_number"}
HOUR = 3600.0


def mask(destination: str, channel: str) -> str:
    """Destinations as Cognito shows them: `a***@e***` and `+*******0100`."""
    if channel == "EMAIL":
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return "+*******" + destination[-4:]


def new_code(ctx: Context) -> str:
    return ctx.settings.fixed_code or f"{secrets.randbelow(1_000_000):06d}"


def verification_template(pool: Pool) -> dict[str, str]:
    t = dict(DEFAULT_VERIFICATION)
    legacy = {"SmsMessage": "SmsVerificationMessage", "EmailMessage": "EmailVerificationMessage",
              "EmailSubject": "EmailVerificationSubject"}
    for key, old in legacy.items():
        if pool.config.get(old):
            t[key] = pool.config[old]
    t.update({k: v for k, v in (pool.config.get("VerificationMessageTemplate") or {}).items()
              if k in t and v})
    return t


def invitation_template(pool: Pool) -> dict[str, str]:
    t = dict(DEFAULT_INVITATION)
    custom = (pool.config.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    t.update({k: v for k, v in custom.items() if k in t and v})
    return t


def deliver(
    ctx: Context, pool: Pool, user: User, *, kind: str, channel: str, destination: str,
    body: str, subject: str | None, code: str | None,
) -> dict[str, str]:
    """Record one message in the outbox (and send email over SMTP if configured, once
    the call's writes have committed); returns Cognito's CodeDeliveryDetails for it."""
    message = {
        "pool_id": pool.id, "username": user.username, "channel": channel,
        "destination": destination, "subject": subject if channel == "EMAIL" else None,
        "body": body, "code": code, "kind": kind, "sent": ctx.now(),
    }
    if triggers.target(ctx, pool, "CustomMessage") is not None and ctx.passage and not ctx.passage.inline:
        # Composed by the pool's CustomMessage function once the handler is done (an await).
        ctx.finishing.append(lambda: _customised(ctx, pool, user, message))
    else:
        _record(ctx, pool, user, message)
    return {"Destination": mask(destination, channel), "DeliveryMedium": channel,
            "AttributeName": ATTRIBUTE_OF[channel]}


async def _customised(ctx: Context, pool: Pool, user: User, message: dict[str, Any]) -> None:
    await custom_message(ctx, pool, user, message)
    _record(ctx, pool, user, message)


def _record(ctx: Context, pool: Pool, user: User, message: dict[str, Any]) -> None:
    channel, destination, body, subject = message["channel"], message["destination"], message["body"], message["subject"]
    kind = message["kind"]
    ctx.store.add_message(message)
    log.info("%s %s to %s (%s/%s): %s", kind, channel, destination, pool.id, user.username, body)
    sender = custom_sender(ctx, pool, user, message) if ctx.passage and not ctx.passage.inline else None
    if sender is not None:  # the pool's own sender delivers it, not Cognito (nor SMTP)
        ctx.after_commit.append(sender)
    elif channel == "EMAIL" and ctx.settings.smtp_host:
        email = _email(ctx, destination, subject or "", body)
        host, port = ctx.settings.smtp_host, ctx.settings.smtp_port

        async def send() -> None:  # after the commit, on a worker thread: never inside a write
            await offload.run(_smtp, host, port, email)

        ctx.after_commit.append(send)


def send_code(
    ctx: Context, pool: Pool, user: User, *, kind: str, attribute: str,
    destination: str | None = None, **data: Any,
) -> dict[str, str]:
    """Issue a fresh code for `kind` and send it in a verification-style message."""
    code = issue_code(ctx, pool, user, code_purpose(kind, attribute), attribute=attribute, **data)
    channel = CHANNEL_OF[attribute]
    template = verification_template(pool)
    text = template["EmailMessage"] if channel == "EMAIL" else template["SmsMessage"]
    return deliver(
        ctx, pool, user, kind=kind, channel=channel,
        destination=destination or user.attributes[attribute],
        body=text.replace("{####}", code), subject=template["EmailSubject"], code=code,
    )


def signup_code_attribute(pool: Pool, user: User) -> str | None:
    """Where a sign-up code goes: the phone when both are auto-verified, as in Cognito."""
    auto = pool.config.get("AutoVerifiedAttributes") or []
    for attribute in ("phone_number", "email"):
        if attribute in auto and user.attributes.get(attribute):
            return attribute
    return None


def send_verification_codes(ctx: Context, pool: Pool, user: User, attributes: list[str]) -> list[dict[str, str]]:
    """Codes for changed contacts; a pending (not yet applied) value is where the code goes."""
    pending = user.extra.get("pending") or {}
    return [
        send_code(ctx, pool, user, kind="UPDATE_USER_ATTRIBUTE", attribute=a, destination=pending.get(a))
        for a in attributes
    ]


def send_invitation(ctx: Context, pool: Pool, user: User, password: str, mediums: list[str]) -> None:
    template = invitation_template(pool)
    for channel in mediums:
        destination = user.attributes.get(ATTRIBUTE_OF[channel])
        if not destination:
            continue
        text = template["EmailMessage"] if channel == "EMAIL" else template["SMSMessage"]
        body = text.replace("{username}", user.username).replace("{####}", password)
        deliver(ctx, pool, user, kind="ADMIN_CREATE_USER", channel=channel, destination=destination,
                body=body, subject=template["EmailSubject"], code=password)


def _email(ctx: Context, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = ctx.settings.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def _smtp(host: str, port: int, msg: EmailMessage) -> None:
    try:
        with smtplib.SMTP(host, port, timeout=10) as smtp:
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        # The outbox still has the message; a broken relay must not fail the sign-up.
        log.warning("SMTP delivery to %s failed: %s", msg["To"], exc)


# -- codes --------------------------------------------------------------------------

# Outbox message kinds (as Cognito's CustomMessage trigger sources) and the code slot each uses.
PURPOSE_OF_KIND = {
    "SIGN_UP": "signup", "RESEND_CODE": "signup", "FORGOT_PASSWORD": "forgot",
    "UPDATE_USER_ATTRIBUTE": "verify", "VERIFY_USER_ATTRIBUTE": "verify",
}
CODE_TTL = {"signup": 24 * HOUR, "forgot": HOUR, "verify": 24 * HOUR}


def code_purpose(kind: str, attribute: str) -> str:
    """Verification codes are kept per attribute; the others one per user."""
    purpose = PURPOSE_OF_KIND[kind]
    return f"verify:{attribute}" if purpose == "verify" else purpose


def issue_code(ctx: Context, pool: Pool, user: User, purpose: str, **data: Any) -> str:
    now = ctx.now()
    code = new_code(ctx)
    ctx.store.put_code(pool.id, user_key(pool, user.username), purpose, code, now,
                       now + CODE_TTL[purpose.split(":")[0]], data)
    return code


def check_code(ctx: Context, pool: Pool, user: User, purpose: str, given: str, action: str,
               cap: int) -> dict[str, Any]:
    """The code's data when `given` matches the live code; Cognito's errors otherwise.
    Wrong answers count toward an hourly cap per user and action. The code stays live
    until the caller, its action done, spends it: a confirmation refused for a taken
    alias can be retried with the same code and ForceAliasCreation, as in Cognito."""
    ukey = user_key(pool, user.username)
    now = ctx.now()
    if ctx.store.count_attempts(pool.id, ukey, action, now - HOUR) >= cap:
        raise LimitExceededException("Attempt limit exceeded, please try after some time.")
    row = ctx.store.get_code(pool.id, ukey, purpose)
    if row is None:
        raise ExpiredCodeException("Invalid code provided, please request a code again.")
    if not secrets.compare_digest(str(row["code"]).encode(), given.strip().encode()):
        ctx.store.add_attempt(pool.id, ukey, action, now)
        raise CodeMismatchException("Invalid verification code provided, please try again.")
    if row["expires"] <= now:
        raise ExpiredCodeException("Invalid code provided, please request a code again.")
    return dict(row["data"])


def spend_code(ctx: Context, pool: Pool, user: User, purpose: str) -> None:
    if not ctx.store.delete_code(pool.id, user_key(pool, user.username), purpose):
        # Another call spent it between our check and now.
        raise ExpiredCodeException("Invalid code provided, please request a code again.")


def count_call(ctx: Context, pool: Pool, user: User, action: str, cap: int) -> None:
    """Cognito's hourly cap on sending codes (ResendConfirmationCode, ...)."""
    ukey = user_key(pool, user.username)
    now = ctx.now()
    if ctx.store.count_attempts(pool.id, ukey, action, now - HOUR) >= cap:
        raise LimitExceededException("Attempt limit exceeded, please try after some time.")
    ctx.store.add_attempt(pool.id, ukey, action, now)


# -- outbox wire shape ------------------------------------------------------------------

def message_to_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "userPoolId": row["pool_id"], "username": row["username"],
        "channel": row["channel"], "destination": row["destination"], "subject": row["subject"],
        "body": row["body"], "code": row["code"], "type": row["kind"], "sentAt": row["sent"],
    }
