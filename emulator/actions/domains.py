"""User pool domains: the prefix (`myapp`) or custom domain (`auth.example.com`) the
hosted UI answers on. Here a request whose Host's first label (or whole name) is a
domain reaches that domain's pool (hosted/web.py)."""

from __future__ import annotations

import hashlib

from ..api import Context, Request, Response, action
from ..errors import InvalidParameterException
from ..lookup import require_pool
from ..records import Domain, Pool

# Words Cognito keeps out of prefix domains (AWS documents "aws", "amazon" and "cognito").
_RESERVED = ("aws", "amazon", "cognito")


def _pool_key(custom: bool) -> str:
    return "CustomDomain" if custom else "Domain"


def _cloudfront(domain: str) -> str:
    # Cognito answers a custom domain with the CloudFront distribution to alias it to.
    return f"d{hashlib.sha256(domain.encode()).hexdigest()[:13]}.cloudfront.net"


def _mirror(ctx: Context, pool: Pool, domain: Domain | None, custom: bool) -> None:
    """DescribeUserPool shows a pool's domains (Domain, CustomDomain)."""
    if domain is None:
        pool.config.pop(_pool_key(custom), None)
    else:
        pool.config[_pool_key(custom)] = domain.domain
    ctx.store.put_pool(pool)


@action("CreateUserPoolDomain")
def create_user_pool_domain(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    name = req["Domain"]
    custom = req.get("CustomDomainConfig")
    if custom is None and any(word in name for word in _RESERVED):
        raise InvalidParameterException(f"Domain {name} is reserved: it may not contain aws, amazon or cognito.")
    if ctx.store.get_domain(name) is not None:
        raise InvalidParameterException("Domain already associated with another user pool.")
    if any((d.custom_config is not None) == (custom is not None) for d in ctx.store.domains_of(pool.id)):
        raise InvalidParameterException("User pool already has a domain configured.")
    domain = Domain(domain=name, pool_id=pool.id, created=ctx.now(), custom_config=custom,
                    managed_login_version=int(req.get("ManagedLoginVersion") or 1))
    with ctx.store.transaction():
        ctx.store.add_domain(domain)
        _mirror(ctx, pool, domain, custom is not None)
    out: Response = {"ManagedLoginVersion": domain.managed_login_version}
    if custom is not None:
        out["CloudFrontDomain"] = _cloudfront(name)
    return out


@action("DescribeUserPoolDomain")
def describe_user_pool_domain(ctx: Context, req: Request) -> Response:
    domain = ctx.store.get_domain(req["Domain"])
    # Cognito answers an unknown domain with an empty description, not an error.
    if domain is None:
        return {"DomainDescription": {}}
    out = domain.to_wire(ctx.settings.account_id)
    if domain.custom_config is not None:
        out["CloudFrontDistribution"] = _cloudfront(domain.domain)
    return {"DomainDescription": out}


def _owned(ctx: Context, req: Request) -> tuple[Pool, Domain]:
    pool = require_pool(ctx, req["UserPoolId"])
    domain = ctx.store.get_domain(req["Domain"])
    if domain is None or domain.pool_id != pool.id:
        raise InvalidParameterException("No such domain or user pool exists.")
    return pool, domain


@action("UpdateUserPoolDomain")
def update_user_pool_domain(ctx: Context, req: Request) -> Response:
    _, domain = _owned(ctx, req)
    if "CustomDomainConfig" in req:
        if domain.custom_config is None:
            raise InvalidParameterException("A prefix domain has no certificate to update.")
        domain.custom_config = req["CustomDomainConfig"]
    if req.get("ManagedLoginVersion"):
        domain.managed_login_version = int(req["ManagedLoginVersion"])
    ctx.store.put_domain(domain)
    out: Response = {"ManagedLoginVersion": domain.managed_login_version}
    if domain.custom_config is not None:
        out["CloudFrontDomain"] = _cloudfront(domain.domain)
    return out


@action("DeleteUserPoolDomain")
def delete_user_pool_domain(ctx: Context, req: Request) -> Response:
    pool, domain = _owned(ctx, req)
    with ctx.store.transaction():
        ctx.store.delete_domain(domain.domain)
        _mirror(ctx, pool, None, domain.custom_config is not None)
    return {}
