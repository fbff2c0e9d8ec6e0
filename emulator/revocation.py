"""What ends tokens before they expire, recorded when it happens and checked on every
use, so that a sign-in itself records nothing: a user's global sign-out (GlobalSignOut,
AdminUserGlobalSignOut, AdminDisableUser, deleting the user) and the revocation of one
token family (RevokeToken: a refresh token and every access and ID token minted from it,
which share its `origin_jti`); and, in the family's row, its refresh-token rotation."""

from __future__ import annotations

from .api import Context
from .records import TokenSession

# The longest an access or ID token can outlive the refresh token of its family (their
# validity is at most a day): a revoked family's record is kept until then.
_LONGEST_ACCESS = 86400


def sign_out(ctx: Context, pool_id: str, sub: str) -> None:
    """Every token of the user issued until now stops working."""
    ctx.store.sign_out(pool_id, sub, ctx.now())


def revoke_family(ctx: Context, session: TokenSession) -> None:
    revoke_origin(ctx, session.pool_id, session.sub, session.origin_jti, session.expires)


def revoke_origin(ctx: Context, pool_id: str, sub: str, origin_jti: str, expires: float) -> None:
    """Revoke the family `origin_jti`, whose refresh tokens expire at `expires`."""
    ctx.store.put_token_family(origin_jti, pool_id, sub, revoked=True, expires=expires + _LONGEST_ACCESS,
                               now=ctx.now())


def refresh_marks(ctx: Context, session: TokenSession) -> tuple[bool, int, float | None]:
    """For a refresh, in one read: whether the session's family is revoked (as revoked()
    judges it), its latest refresh-token generation and when that began (refreshing.py)."""
    signed_out, family_revoked, latest, began = ctx.store.family_marks(session.pool_id, session.sub,
                                                                       session.origin_jti)
    return _judged(signed_out, family_revoked, session.iat), latest, began


def rotate(ctx: Context, session: TokenSession, new_generation: int) -> None:
    ctx.store.rotate_family(session.origin_jti, session.pool_id, session.sub, generation=new_generation,
                            at=ctx.now(), expires=session.expires + _LONGEST_ACCESS)


def note_new_family(ctx: Context, session: TokenSession) -> None:
    """At a sign-in (a new family): in the rare case that the user's last sign-out fell in
    the sign-in's own clock second, record that this family came after it (see revoked())."""
    signed_out = ctx.store.signed_out_at(session.pool_id, session.sub)
    if signed_out is not None and session.iat <= signed_out:
        ctx.store.put_token_family(session.origin_jti, session.pool_id, session.sub, revoked=False,
                                   expires=session.expires + _LONGEST_ACCESS, now=ctx.now())


def revoked(ctx: Context, pool_id: str, sub: str, origin_jti: str, iat: int) -> bool:
    """Whether a token of the family `origin_jti`, issued in the whole second `iat`, has
    been revoked: by RevokeToken (a family row, revoked), or by a sign-out of the user at
    or after the token's issue.

    A sign-out is a per-user mark (its time, to the clock's full precision), not a row per
    token: it revokes every token issued before it, without a write at each sign-in. Access
    and ID tokens say when they were issued only to the second (`iat`), and tests run on a
    frozen clock, where a sign-out and the sign-ins just before and after it can all fall
    in one second, or share one instant. So:
      - iat > mark: issued in a second that began after the sign-out: live.
      - iat <= mark: issued before the sign-out, or in its second, before or after it.
        Time cannot tell these apart; sequence can. A sign-in that finds the user's mark
        at or after its own second (note_new_family: a read, and this rare write) records
        its family as issued after the mark. Such a family lives; any other is revoked.
    Every token of a family is issued in or after its sign-in's second, and a family
    signed in before the mark can no longer be refreshed after it, so judging a token by
    its own iat and its family's record is exact. A new sign-out deletes the user's family
    rows: its mark covers every family that existed, including those marked "after" the
    previous sign-out. The mark never moves back, so a clock set back cannot revive tokens."""
    signed_out, family_revoked = ctx.store.revocation_marks(pool_id, sub, origin_jti)
    return _judged(signed_out, family_revoked, iat)


def _judged(signed_out: float | None, family_revoked: int | None, iat: int) -> bool:
    if family_revoked:
        return True
    if signed_out is None or iat > signed_out:
        return False
    return family_revoked is None  # no row: not marked as signed in after the sign-out
