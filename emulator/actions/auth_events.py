"""Threat protection's user event history: AdminListUserAuthEvents,
AdminUpdateAuthEventFeedback, UpdateAuthEventFeedback. All three need threat protection
on (UserPoolAddOnNotEnabledException otherwise, as Cognito answers). The emulator
assesses no risk and records no auth events (README), so with it on the history is empty
and feedback names an event that does not exist."""

from __future__ import annotations

from .. import paging
from ..api import Context, Request, Response, action
from ..errors import ResourceNotFoundException
from ..lookup import require_user
from .risk import protected_pool


def _no_event(ctx: Context, req: Request) -> Response:
    pool = protected_pool(ctx, req["UserPoolId"])
    require_user(ctx, pool, req["Username"])
    raise ResourceNotFoundException(f"Auth event {req['EventId']} does not exist.")


@action("AdminListUserAuthEvents")
def admin_list_user_auth_events(ctx: Context, req: Request) -> Response:
    paging.decode(req.get("NextToken"))  # one not the emulator's is InvalidParameterException
    pool = protected_pool(ctx, req["UserPoolId"])
    require_user(ctx, pool, req["Username"])
    return {"AuthEvents": []}


@action("AdminUpdateAuthEventFeedback")
def admin_update_auth_event_feedback(ctx: Context, req: Request) -> Response:
    return _no_event(ctx, req)


@action("UpdateAuthEventFeedback")
def update_auth_event_feedback(ctx: Context, req: Request) -> Response:
    # The FeedbackToken comes from a risk notification email, which the emulator never sends.
    return _no_event(ctx, req)
