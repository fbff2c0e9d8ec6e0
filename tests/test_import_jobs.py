"""User import jobs through boto3, with the CSV uploaded to the PreSignedUrl by httpx as
AWS's guide shows it (curl -T file.csv -H "x-amz-server-side-encryption:aws:kms" <url>)."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import httpx
import pytest

from emulator import ids, imports, srp
from emulator.store import Store

ROLE = "arn:aws:iam::123456789012:role/CognitoImport"
TERMINAL = {"Succeeded", "Failed", "Stopped"}


def _csv(cognito: Any, pool_id: str, rows: list[dict[str, str]]) -> bytes:
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({"cognito:mfa_enabled": "false", **row})
    return out.getvalue().encode()


def _upload(url: str, body: bytes, **headers: str) -> httpx.Response:
    # What curl -T sends: a PUT of the file's bytes, the header AWS's guide adds, no Content-Type.
    return httpx.put(url, content=body, headers={"x-amz-server-side-encryption": "aws:kms", **headers})


@pytest.fixture
def import_pool(cognito: Any) -> str:
    """A pool an import job can start in: Cognito's guide wants an auto-verified attribute."""
    pool: str = cognito.create_user_pool(PoolName="imports", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    return pool


def _ok(username: str, **more: str) -> dict[str, str]:
    return {"cognito:username": username, "email": f"{username}@example.com", "email_verified": "true", **more}


def _create(cognito: Any, pool_id: str) -> dict[str, Any]:
    job: dict[str, Any] = cognito.create_user_import_job(UserPoolId=pool_id, JobName="load",
                                                         CloudWatchLogsRoleArn=ROLE)["UserImportJob"]
    return job


def _wait(cognito: Any, pool_id: str, job_id: str) -> tuple[dict[str, Any], list[str]]:
    """Poll until the job ends (the import runs in the server's background); the statuses seen."""
    seen: list[str] = []
    for _ in range(100_000):
        job: dict[str, Any] = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
        if not seen or seen[-1] != job["Status"]:
            seen.append(job["Status"])
        if job["Status"] in TERMINAL:
            return job, seen
    raise AssertionError(f"job still {seen[-1]}")


def test_csv_header_lists_the_pools_attributes_then_cognitos_columns(cognito: Any) -> None:
    pool_id = cognito.create_user_pool(PoolName="h", Schema=[
        {"Name": "tier", "AttributeDataType": "String"}])["UserPool"]["Id"]
    resp = cognito.get_csv_header(UserPoolId=pool_id)
    header = resp["CSVHeader"]
    assert resp["UserPoolId"] == pool_id
    assert header[:3] == ["name", "given_name", "family_name"] and "sub" not in header
    assert {"email", "email_verified", "phone_number", "custom:tier"} <= set(header)
    assert header[-2:] == ["cognito:mfa_enabled", "cognito:username"]


def test_a_job_imports_users_in_reset_required_and_reports_failed_rows(cognito: Any, import_pool: str) -> None:
    job = _create(cognito, import_pool)
    assert job["Status"] == "Created" and job["JobId"].startswith("import-")
    assert job["CloudWatchLogsRoleArn"] == ROLE and job["ImportedUsers"] == 0
    rows = [{"cognito:username": f"user{i}", "email": f"user{i}@example.com", "email_verified": "true",
             "given_name": "Ann"} for i in range(1500)]  # more than one batch
    rows += [
        {"cognito:username": "", "email": "nameless@example.com"},  # no username
        _ok("mfa", **{"cognito:mfa_enabled": "true"}),  # MFA without a phone
        _ok("user1"),  # taken
        {"cognito:username": "bad", "email": "not-an-email"},
        {"cognito:username": "flag", "email_verified": "maybe"},
        _ok("sms", **{"cognito:mfa_enabled": "TRUE", "phone_number": "+15550100",
                      "phone_number_verified": "true", "name": 'Quoted "Q", with\na newline'}),
    ]
    assert _upload(job["PreSignedUrl"], _csv(cognito, import_pool, rows)).status_code == 200
    started = cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])["UserImportJob"]
    assert started["Status"] == "Pending" and "StartDate" in started
    done, seen = _wait(cognito, import_pool, job["JobId"])
    assert seen[-1] == "Succeeded" and set(seen) <= {"Pending", "InProgress", "Succeeded"}
    assert (done["ImportedUsers"], done["FailedUsers"], done["SkippedUsers"]) == (1501, 5, 0)
    assert done["CompletionMessage"] and done["CompletionDate"] >= done["StartDate"]
    user = cognito.admin_get_user(UserPoolId=import_pool, Username="user1499")
    assert user["UserStatus"] == "RESET_REQUIRED" and user["Enabled"]
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email"] == "user1499@example.com" and attributes["email_verified"] == "true"
    sms = cognito.admin_get_user(UserPoolId=import_pool, Username="sms")
    assert sms["UserMFASettingList"] == ["SMS_MFA"]
    assert {a["Name"]: a["Value"] for a in sms["UserAttributes"]}["name"] == 'Quoted "Q", with\na newline'
    found = cognito.list_users(UserPoolId=import_pool, Filter='given_name = "Ann"', Limit=1)
    assert found["Users"][0]["Username"] == "user0"


def test_failed_rows_are_listed_with_their_record_and_reason(server: Any, cognito: Any, import_pool: str) -> None:
    job = _create(cognito, import_pool)
    _upload(job["PreSignedUrl"], _csv(cognito, import_pool, [
        _ok("ok"), _ok("mfa", **{"cognito:mfa_enabled": "true"})]))
    cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])
    _wait(cognito, import_pool, job["JobId"])
    report = httpx.get(f"{server.url}/_emulator/user-import-jobs/{job['JobId']}").json()
    assert report["failedUsers"] == 1
    assert report["failures"] == [{"row": 3, "username": "mfa",
                                   "reason": "A user with cognito:mfa_enabled true needs a phone_number."}]


def test_a_header_the_pool_does_not_know_fails_the_job(cognito: Any, import_pool: str) -> None:
    job = _create(cognito, import_pool)
    _upload(job["PreSignedUrl"], b"cognito:username,cognito:mfa_enabled,favourite_colour\nann,false,blue\n")
    cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])
    done, _ = _wait(cognito, import_pool, job["JobId"])
    assert done["Status"] == "Failed" and "favourite_colour" in done["CompletionMessage"]
    assert done["ImportedUsers"] == 0


def test_a_job_without_a_file_fails(cognito: Any, import_pool: str) -> None:
    job = _create(cognito, import_pool)
    cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])
    done, _ = _wait(cognito, import_pool, job["JobId"])
    assert done["Status"] == "Failed"


def test_stop_ends_the_job_between_batches(cognito: Any, import_pool: str) -> None:
    job = _create(cognito, import_pool)
    rows = [_ok(f"s{i:05d}") for i in range(20_000)]
    _upload(job["PreSignedUrl"], _csv(cognito, import_pool, rows))
    cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])
    stopping = cognito.stop_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])["UserImportJob"]
    assert stopping["Status"] == "Stopping"
    done, seen = _wait(cognito, import_pool, job["JobId"])
    assert done["Status"] == "Stopped" and done["ImportedUsers"] < 20_000
    with pytest.raises(cognito.exceptions.PreconditionNotMetException):
        cognito.stop_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])
    with pytest.raises(cognito.exceptions.PreconditionNotMetException):
        cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])


def test_the_upload_url_is_bound_to_its_job_and_refuses_other_content(cognito: Any, import_pool: str) -> None:
    job = _create(cognito, import_pool)
    url = job["PreSignedUrl"]
    other = _create(cognito, import_pool)
    forged = other["PreSignedUrl"].split("?")[0] + "?" + url.split("?")[1]
    refused = _upload(forged, b"cognito:username,cognito:mfa_enabled\n")
    assert refused.status_code == 403 and b"<Code>AccessDenied</Code>" in refused.content
    assert _upload(url, b"x", **{"content-type": "image/png"}).status_code == 400
    assert _upload(url, b"\xff\xfe not utf-8\n" * 3).status_code == 400
    assert _upload(url, b"").status_code == 400
    assert httpx.get(url).status_code == 405
    cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])
    assert _upload(url, b"cognito:username,cognito:mfa_enabled\n").status_code == 403


def test_a_file_over_the_limit_is_refused_and_leaves_nothing(cognito: Any, import_pool: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 1000)  # the server runs in this process
    job = _create(cognito, import_pool)
    body = b"cognito:username,cognito:mfa_enabled\n" + b"someone,false\n" * 100

    def chunked() -> Any:  # no Content-Length: refused while it streams in
        yield body[:500]
        yield body[500:]
    for sent in (body, chunked()):
        refused = httpx.put(job["PreSignedUrl"], content=sent)
        assert refused.status_code == 400 and b"<Code>EntityTooLarge</Code>" in refused.content
    cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])
    done, _ = _wait(cognito, import_pool, job["JobId"])
    assert done["Status"] == "Failed" and done["ImportedUsers"] == 0  # no file was kept


def test_list_and_describe_jobs(cognito: Any, pool_id: str) -> None:
    made = sorted(_create(cognito, pool_id)["JobId"] for _ in range(3))
    first = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2)
    rest = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2, PaginationToken=first["PaginationToken"])
    assert [j["JobId"] for j in first["UserImportJobs"] + rest["UserImportJobs"]] == made
    assert "PaginationToken" not in rest
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_user_import_job(UserPoolId=pool_id, JobId="import-nope")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.get_csv_header(UserPoolId="us-east-1_Nope12345")


def test_jobs_travel_in_snapshots(own_server: Any) -> None:
    from .conftest import make_client
    cognito = make_client(own_server.url)
    pool_id = cognito.create_user_pool(PoolName="snap", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    job = _create(cognito, pool_id)
    _upload(job["PreSignedUrl"], _csv(cognito, pool_id, [_ok("ann")]))
    snapshot = httpx.get(f"{own_server.url}/_emulator/snapshot").json()
    assert [r["job_id"] for r in snapshot["tables"]["import_jobs"]] == [job["JobId"]]
    assert httpx.post(f"{own_server.url}/_emulator/reset").status_code == 200
    assert httpx.put(f"{own_server.url}/_emulator/snapshot", json=snapshot).status_code == 200
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])  # the upload came back too
    done, _ = _wait(cognito, pool_id, job["JobId"])
    assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 1)
    broken = {**snapshot, "tables": {**snapshot["tables"], "import_jobs": [
        {**snapshot["tables"]["import_jobs"][0], "header": "{not json"}]}}
    assert httpx.put(f"{own_server.url}/_emulator/snapshot", json=broken).status_code == 400


def test_the_upload_is_cut_into_short_chunks_at_record_ends() -> None:
    record = b'ann,"a ""quoted""\nvalue",false\n'
    data = b"h1,h2,h3\n" + record * 1000
    pieces, rest = [], data
    while (cut := imports._cut(rest, 200)) and len(rest) > 200:
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    assert b"".join(pieces) == data
    assert all(len(p) <= 200 for p in pieces)  # short units of work
    assert all(p.endswith(b"false\n") for p in pieces[1:])  # never inside the quoted newline
    assert imports._cut(b'x,"open quote\nstill open\n', 5) == 0


def test_rows_need_a_verified_contact_of_the_pools_kind(cognito: Any, import_pool: str) -> None:
    job = _create(cognito, import_pool)
    _upload(job["PreSignedUrl"], _csv(cognito, import_pool, [
        _ok("good"),
        {"cognito:username": "unverified", "email": "u@example.com", "email_verified": "false"},
        {"cognito:username": "phone-only", "phone_number": "+15550111", "phone_number_verified": "true"},
        {"cognito:username": "no-address", "email_verified": "true"},
    ]))
    cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])
    done, _ = _wait(cognito, import_pool, job["JobId"])
    assert (done["ImportedUsers"], done["FailedUsers"]) == (1, 3)


def test_a_pool_without_auto_verified_attributes_cannot_start_an_import(cognito: Any, pool_id: str) -> None:
    job = _create(cognito, pool_id)
    _upload(job["PreSignedUrl"], _csv(cognito, pool_id, [_ok("ann")]))
    with pytest.raises(cognito.exceptions.PreconditionNotMetException):
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]["Status"] == "Created"


def test_a_header_without_every_column_of_the_pool_fails_the_job(cognito: Any, import_pool: str) -> None:
    job = _create(cognito, import_pool)
    _upload(job["PreSignedUrl"], b"cognito:username,cognito:mfa_enabled,email,email_verified\nann,false,a@x.io,true\n")
    cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])
    done, _ = _wait(cognito, import_pool, job["JobId"])
    assert done["Status"] == "Failed" and "given_name" in done["CompletionMessage"]


@pytest.mark.parametrize("prevent", ["LEGACY", "ENABLED"])
def test_an_imported_user_signing_in_is_told_to_reset_the_password(cognito: Any, import_pool: str,
                                                                   prevent: str) -> None:
    """Cognito's answer to a user a job imported (RESET_REQUIRED, no password) whatever
    password they try: PasswordResetRequiredException, not "Incorrect username or password"."""
    job = _create(cognito, import_pool)
    _upload(job["PreSignedUrl"], _csv(cognito, import_pool, [_ok("imported")]))
    cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])
    assert _wait(cognito, import_pool, job["JobId"])[0]["ImportedUsers"] == 1
    client = cognito.create_user_pool_client(
        UserPoolId=import_pool, ClientName="c", PreventUserExistenceErrors=prevent,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                           "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    password = {"USERNAME": "imported", "PASSWORD": "Any-passw0rd"}
    calls = [
        lambda: cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=password),
        lambda: cognito.admin_initiate_auth(UserPoolId=import_pool, ClientId=client,
                                            AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=password),
        lambda: cognito.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters={
            "USERNAME": "imported", "SRP_A": format(pow(srp.G, 123456789, srp.N), "x")}),
    ]
    for call in calls:
        with pytest.raises(cognito.exceptions.PasswordResetRequiredException) as err:
            call()
        assert err.value.response["Error"]["Message"] == "Password reset required for the user"
    cognito.admin_set_user_password(UserPoolId=import_pool, Username="imported", Password="Passw0rd!x",
                                    Permanent=True)
    signed_in = cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "imported", "PASSWORD": "Passw0rd!x"})
    assert "AccessToken" in signed_in["AuthenticationResult"]


def test_an_imports_subs_are_random_uuid4s_that_increase_along_the_file() -> None:
    """ids.spread_subs: each sub uniformly random within its own slice of the range, the
    slices in the file's order from a point the job picks (one wrap at most)."""
    subs = ids.spread_subs("import-a", 0, 300, 1000) + ids.spread_subs("import-a", 300, 700, 1000)
    parsed = [uuid.UUID(s) for s in subs]
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 and str(u) == s for u, s in zip(parsed, subs, strict=True))
    assert len(set(subs)) == 1000
    lowest = subs.index(min(subs))
    assert subs[lowest:] + subs[:lowest] == sorted(subs)
    assert ids.spread_subs("import-a", 0, 300, 1000) != subs[:300]  # drawn afresh, not derived


def test_a_name_taken_in_the_pool_or_earlier_in_the_file_fails_its_row(server: Any, cognito: Any, import_pool: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the batch's one query, or (another process took it since: the query is made
    to miss it here) by the one statement that adds the batch, then user by user."""
    cognito.admin_create_user(UserPoolId=import_pool, Username="held", MessageAction="SUPPRESS")
    for missed in (False, True):
        if missed:
            monkeypatch.setattr(Store, "taken_user_keys", lambda self, pool_id, ukeys: set())
        job = _create(cognito, import_pool)
        rows = [_ok(f"a{missed}"), _ok("held"), _ok(f"b{missed}"), _ok(f"b{missed}")]
        _upload(job["PreSignedUrl"], _csv(cognito, import_pool, rows))
        cognito.start_user_import_job(UserPoolId=import_pool, JobId=job["JobId"])
        done, _ = _wait(cognito, import_pool, job["JobId"])
        assert (done["ImportedUsers"], done["FailedUsers"]) == (2, 2)
        report = httpx.get(f"{server.url}/_emulator/user-import-jobs/{job['JobId']}").json()
        assert sorted((f["row"], f["username"], f["reason"]) for f in report["failures"]) == [
            (3, "held", "UsernameExistsException: User already exists"),
            (5, f"b{missed}", "UsernameExistsException: User already exists")]
        assert cognito.admin_get_user(UserPoolId=import_pool, Username=f"b{missed}")["UserStatus"] == "RESET_REQUIRED"
    assert cognito.admin_get_user(UserPoolId=import_pool, Username="held")["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_a_pool_signing_in_by_email_imports_row_by_row_against_the_rows_before(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="by-email", UsernameAttributes=["email"],
                                    AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    job = _create(cognito, pool)
    rows = [{"cognito:username": "ann@example.com", "email": "ann@example.com", "email_verified": "true"},
            {"cognito:username": "ann@example.com", "email": "ann@example.com", "email_verified": "true"},
            {"cognito:username": "not-an-email", "email": "bob@example.com", "email_verified": "true"}]
    _upload(job["PreSignedUrl"], _csv(cognito, pool, rows))
    cognito.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
    done, _ = _wait(cognito, pool, job["JobId"])
    assert (done["ImportedUsers"], done["FailedUsers"]) == (1, 2)
    user = cognito.admin_get_user(UserPoolId=pool, Username="ann@example.com")
    assert user["Username"] != "ann@example.com" and user["UserStatus"] == "RESET_REQUIRED"  # the sub
