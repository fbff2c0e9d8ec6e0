"""CUSTOM_AUTH: the pool's DefineAuthChallenge function leads the sign-in round by round
(issue tokens, fail, or ask a CUSTOM_CHALLENGE that CreateAuthChallenge makes and
VerifyAuthChallengeResponse checks), seeing the history of the rounds so far. With
SRP_A in the parameters the history starts with SRP_A and Define may ask for the
password first (PASSWORD_VERIFIER), as Amplify's CUSTOM_WITH_SRP does."""

from __future__ import annotations

import json
from typing import Any

from ..api import Response
from ..errors import (
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotConfirmedException,
)
from ..lookup import find_user
from ..records import Challenge, User
from ..triggers import invoke, target
from ..triggers.signin import pre_authentication, pre_authentication_not_found
from ..triggers.signup import user_attributes
from .core import (
    Attempt,
    consume,
    open_challenge,
    open_challenge_for,
    param,
    require_flow,
    tokens,
    user_for_sign_in,
)
from .srp_auth import decoy, parse_srp_a, start_srp

_WRONG = "Incorrect username or password."
# Marks a CUSTOM_CHALLENGE opened for a name no user has (see custom_auth()).
NOT_FOUND = "user_not_found"
# Rounds one sign-in may take before it is refused: Cognito documents none; a loop
# in a Define function ends here instead of running until the session expires.
MAX_ROUNDS = 10


def _round(name: str, result: bool, metadata: Any = None) -> dict[str, Any]:
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}


async def custom_auth(a: Attempt) -> Response:
    require_flow(a, "ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH flow not enabled for this client")
    if target(a.ctx, a.pool, "DefineAuthChallenge") is None:
        raise InvalidParameterException("Custom auth lambda trigger is not configured for the user pool.")
    username = param(a.params, "USERNAME")
    big_a = parse_srp_a(a) if "SRP_A" in a.params else None
    user = user_for_sign_in(a, username)
    history = [_round("SRP_A", True)] if big_a is not None else []
    if user is None:
        # PreventUserExistenceErrors: the triggers run for the unknown name too, with
        # userNotFound, so the answer looks the same; it never ends in tokens.
        await pre_authentication_not_found(a, username)
        return await next_round(a, None, history, big_a, username=username)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == "UNCONFIRMED":
        raise UserNotConfirmedException("User is not confirmed.")
    await pre_authentication(a, user)
    return await next_round(a, user, history, big_a)


async def next_round(a: Attempt, user: User | None, history: list[dict[str, Any]], big_a: int | None = None,
                     *, username: str = "") -> Response:
    """Ask Define what follows `history`, and do it. `user` None: the name `username`
    belongs to nobody (a client that hides unknown users)."""
    name_of = user.username if user is not None else username
    common = {"userAttributes": user_attributes(user) if user is not None else {},
              "clientMetadata": dict(a.metadata), "userNotFound": user is None}
    answer = await invoke(a.ctx, a.pool, "DefineAuthChallenge", "DefineAuthChallenge_Authentication",
                          user_name=name_of, client_id=a.client.id,
                          request={**common, "session": history},
                          response={"challengeName": None, "issueTokens": False, "failAuthentication": False}) or {}
    user = _fresh(a, user) if user is not None else None
    if answer.get("issueTokens") is True and not answer.get("failAuthentication"):
        if user is None:
            raise NotAuthorizedException(_WRONG)
        return await tokens(a, user)
    if answer.get("failAuthentication") is True or len(history) >= MAX_ROUNDS:
        raise NotAuthorizedException(_WRONG)
    name = answer.get("challengeName")
    if name == "PASSWORD_VERIFIER" and big_a is not None:
        return start_srp(a, user, big_a, custom=history) if user is not None else decoy(a, name_of, big_a)
    if name != "CUSTOM_CHALLENGE":
        raise InvalidLambdaResponseException(f"Invalid lambda response: challengeName {name!r}.")
    created = await invoke(a.ctx, a.pool, "CreateAuthChallenge", "CreateAuthChallenge_Authentication",
                           user_name=name_of, client_id=a.client.id,
                           request={**common, "challengeName": name, "session": history},
                           response={"publicChallengeParameters": {}, "privateChallengeParameters": {},
                                     "challengeMetadata": None})
    if created is None:
        raise InvalidParameterException("Custom auth lambda trigger is not configured for the user pool.")
    public = {k: _text(v) for k, v in (created.get("publicChallengeParameters") or {}).items()}
    data = {"history": history, "private": created.get("privateChallengeParameters") or {},
            "metadata": created.get("challengeMetadata")}
    if user is None:
        return open_challenge_for(a, name_of, "CUSTOM_CHALLENGE", {**public, "USERNAME": name_of},
                                  data={**data, NOT_FOUND: True})
    return open_challenge(a, _fresh(a, user), "CUSTOM_CHALLENGE", {**public, "USERNAME": user.username}, data=data)


async def answer_custom_challenge(a: Attempt, challenge: Challenge, user: User | None) -> Response:
    """Verify the answer, then Define again; `user` None for a name nobody has (NOT_FOUND)."""
    consume(a, challenge)  # one answer per round, right or wrong
    answer = param(a.params, "ANSWER")
    checked = await invoke(a.ctx, a.pool, "VerifyAuthChallengeResponse", "VerifyAuthChallengeResponse_Authentication",
                           user_name=challenge.username, client_id=a.client.id, response={"answerCorrect": False},
                           request={"userAttributes": user_attributes(user) if user is not None else {},
                                    "clientMetadata": dict(a.metadata),
                                    "privateChallengeParameters": challenge.data.get("private") or {},
                                    "challengeAnswer": answer, "userNotFound": user is None}) or {}
    history = [*challenge.data.get("history", []),
               _round("CUSTOM_CHALLENGE", checked.get("answerCorrect") is True, challenge.data.get("metadata"))]
    return await next_round(a, user, history, username=challenge.username)


async def after_custom_password(a: Attempt, challenge: Challenge, user: User) -> Response:
    """CUSTOM_WITH_SRP: the password proven, Define decides what follows."""
    return await next_round(a, user, [*challenge.data["custom"], _round("PASSWORD_VERIFIER", True)])


def _fresh(a: Attempt, user: User) -> User:
    """The user read again after a trigger's await: still there, still enabled."""
    fresh = find_user(a.ctx, a.pool, user.username)
    if fresh is None or fresh.sub != user.sub or not fresh.enabled:
        raise NotAuthorizedException(_WRONG if fresh is None or fresh.sub != user.sub else "User is disabled.")
    return fresh


def _text(value: Any) -> str:
    """Challenge parameters are strings on the wire: others go as JSON."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))



