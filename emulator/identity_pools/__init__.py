"""The cognito-identity service (identity pools, "federated identities"), answered on
the same port as user pools: X-Amz-Target `AWSCognitoIdentityService.<Action>`.
Importing this package registers its handlers in api.IDENTITY_ACTIONS.

    pools.py        CreateIdentityPool ... ListIdentityPools, roles, tags, principal tags
    identities.py   GetId, GetCredentialsForIdentity, GetOpenIdToken, list/describe/delete
    developer.py    developer-authenticated identities, merge and unlink
    logins.py       checking a call's Logins (user pool ID tokens, our own OpenID tokens)
    roles.py        which role an identity gets (roles and role mappings)
    minting.py      AWS credentials and OpenID tokens
"""

from __future__ import annotations

from . import developer, identities, pools  # noqa: F401
