"""Hosted UI (classic) branding: GetUICustomization / SetUICustomization. A pool's
default (ClientId "ALL" or none) and per-client settings, a stylesheet limited to
Cognito's `*-customizable` classes and a PNG/JPEG logo; the hosted pages apply them."""

from __future__ import annotations

import base64
import binascii
import re

from ..api import Context, Request, Response, action
from ..errors import InvalidParameterException
from ..lookup import require_client, require_pool
from ..records import UICustomization
from ..urls import logo_url

ALL = "ALL"
# The classes Cognito lets a stylesheet style, each with the pseudo-classes it allows.
CLASSES = {
    "background-customizable": (), "banner-customizable": (), "errorMessage-customizable": (),
    "idpButton-customizable": (":hover",), "idpDescription-customizable": (),
    "inputField-customizable": (":focus",), "label-customizable": (), "legalText-customizable": (),
    "logo-customizable": (), "passwordCheck-notValid-customizable": (),
    "passwordCheck-valid-customizable": (), "redirect-customizable": (),
    "socialButton-customizable": (), "submitButton-customizable": (":hover",),
    "textDescription-customizable": (),
}
_RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
_SELECTOR = re.compile(r"\.([A-Za-z-]+)(:[a-z]+)?")
# No markup, at-rules, scripts or remote fetches, as Cognito's own check refuses them.
_FORBIDDEN = re.compile(r"<|>|@|javascript:|expression\s*\(|url\s*\(|\\", re.IGNORECASE)
_IMAGE_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
# Read left to right as a browser does: a string, a comment, or an unterminated one of them
# (a comment marker inside a string is text, a quote inside a comment is not a string).
_TOKENS = re.compile(r"\"[^\"\n\r\f]*\"|'[^'\n\r\f]*'|/\*.*?\*/|/\*|[\"']", re.DOTALL)


def _without_comments(css: str) -> str:
    def token(match: re.Match[str]) -> str:
        found = match.group()
        if found in ("/*", '"', "'"):
            raise InvalidParameterException("CSS has an unterminated string or comment.")
        return " " if found.startswith("/*") else found

    return _TOKENS.sub(token, css)


def check_css(css: str) -> None:
    text = _without_comments(css)
    if _FORBIDDEN.search(text):
        raise InvalidParameterException("CSS may not contain HTML, at-rules (@import, @media ...), "
                                        "url(), escapes or scripts.")
    if _RULE.sub("", text).strip():
        raise InvalidParameterException("CSS could not be parsed: expected `.<class> { property: value; }` rules.")
    for match in _RULE.finditer(text):
        for selector in match.group(1).split(","):
            found = _SELECTOR.fullmatch(selector.strip())
            if not found or found.group(1) not in CLASSES or (
                    found.group(2) and found.group(2) not in CLASSES[found.group(1)]):
                raise InvalidParameterException(
                    f"CSS selector {selector.strip()!r} is not one of the customizable classes: "
                    + ", ".join(f".{c}" for c in CLASSES))


def image_type(data: bytes) -> str:
    for magic, media in _IMAGE_TYPES:
        if data.startswith(magic):
            return media
    raise InvalidParameterException("The logo must be a PNG or JPEG image.")


def _client_key(ctx: Context, pool_id: str, client_id: str | None) -> str:
    if not client_id or client_id == ALL:
        return ALL
    return require_client(ctx, client_id, pool_id).id


def _wire(ctx: Context, ui: UICustomization) -> Response:
    out: Response = {"UserPoolId": ui.pool_id, "ClientId": ui.client_id,
                     "LastModifiedDate": ui.modified, "CreationDate": ui.created}
    if ui.css is not None:
        out["CSS"] = ui.css
        out["CSSVersion"] = str(int(ui.modified * 1000))
    if ui.image is not None:
        out["ImageUrl"] = logo_url(ctx.base_url, ui.pool_id, ui.client_id, int(ui.modified * 1000))
    return out


def effective(ctx: Context, pool_id: str, client_id: str) -> UICustomization | None:
    """The branding a client's pages wear: its own, else the pool's default."""
    return (ctx.store.get_ui_customization(pool_id, client_id)
            or ctx.store.get_ui_customization(pool_id, ALL))


@action("SetUICustomization")
def set_ui_customization(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    if not ctx.store.domains_of(pool.id):
        raise InvalidParameterException("There has to be an existing domain associated with this user pool")
    key = _client_key(ctx, pool.id, req.get("ClientId"))
    css = req.get("CSS")
    if css is not None:
        check_css(css)
    image = media = None
    if req.get("ImageFile"):
        try:
            raw = base64.b64decode(req["ImageFile"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidParameterException("ImageFile is not valid base64.") from None
        image, media = base64.b64encode(raw).decode(), image_type(raw)
    now = ctx.now()
    before = ctx.store.get_ui_customization(pool.id, key)
    # Each call states both the stylesheet and the logo: what it leaves out is removed.
    ui = UICustomization(pool_id=pool.id, client_id=key, created=before.created if before else now,
                         modified=now, css=css, image=image, image_type=media)
    ctx.store.put_ui_customization(ui)
    return {"UICustomization": _wire(ctx, ui)}


@action("GetUICustomization")
def get_ui_customization(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    key = _client_key(ctx, pool.id, req.get("ClientId"))
    ui = effective(ctx, pool.id, key)
    if ui is None:
        return {"UICustomization": {"UserPoolId": pool.id, "ClientId": key}}
    return {"UICustomization": _wire(ctx, ui)}
