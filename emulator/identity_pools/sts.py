"""Credentials minted by an STS of the user's choice (moto, LocalStack: whatever the
`sts_endpoint` setting names): GetCredentialsForIdentity trades the identity's OpenID
token there with AssumeRoleWithWebIdentity, as Cognito does with AWS's STS, so that the
credentials are ones that STS's emulated services accept. Blocking HTTP: it runs on a
worker thread (ctx.offload)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from ..errors import ExternalServiceException

SESSION_NAME = "CognitoIdentityCredentials"
_TIMEOUT = 10.0


def assume_role_with_web_identity(endpoint: str, role_arn: str, token: str, seconds: int) -> dict[str, Any]:
    """Credentials in GetCredentialsForIdentity's shape, or ExternalServiceException."""
    form = urllib.parse.urlencode({
        "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": role_arn,
        "RoleSessionName": SESSION_NAME, "WebIdentityToken": token, "DurationSeconds": str(seconds),
    }).encode()
    request = urllib.request.Request(endpoint, data=form, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise ExternalServiceException(f"STS refused AssumeRoleWithWebIdentity: {_error(exc.read())}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise ExternalServiceException(f"STS at {endpoint} did not answer: {exc}") from None
    return _credentials(body)


def _credentials(body: bytes) -> dict[str, Any]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise ExternalServiceException("STS answered something that is not XML.") from None
    found = {_local(e.tag): (e.text or "") for e in root.iter()}
    try:
        expiration = datetime.fromisoformat(found["Expiration"].replace("Z", "+00:00")).timestamp()
        return {"AccessKeyId": found["AccessKeyId"], "SecretKey": found["SecretAccessKey"],
                "SessionToken": found["SessionToken"], "Expiration": expiration}
    except (KeyError, ValueError):
        raise ExternalServiceException("STS's answer holds no credentials.") from None


def _error(body: bytes) -> str:
    try:
        found = {_local(e.tag): (e.text or "") for e in ET.fromstring(body).iter()}
    except ET.ParseError:
        return body[:200].decode("utf-8", "replace")
    return f"{found.get('Code', '?')}: {found.get('Message', '')}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
