"""User import jobs: GetCSVHeader and the five job actions (the work is in imports.py)."""

from __future__ import annotations

import secrets
import string

from .. import ids, imports, paging
from ..api import Context, Request, Response, action
from ..errors import PreconditionNotMetException, ResourceNotFoundException
from ..lookup import require_pool
from ..records import ImportJob


@action("GetCSVHeader")
def get_csv_header(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    return {"UserPoolId": pool.id, "CSVHeader": imports.csv_header(pool)}


def _job(ctx: Context, req: Request) -> ImportJob:
    pool = require_pool(ctx, req["UserPoolId"])
    job = ctx.store.get_import_job(pool.id, req["JobId"])
    if job is None:
        raise ResourceNotFoundException(f"Import job {req['JobId']} does not exist.")
    return job


def _wire(ctx: Context, job: ImportJob) -> Response:
    return {"UserImportJob": job.to_wire(imports.upload_url(ctx.base_url, job))}


def _job_id() -> str:
    return "import-" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))


@action("CreateUserImportJob")
def create_user_import_job(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    job = ImportJob(job_id=_job_id(), pool_id=pool.id,
                    name=req["JobName"], created=ctx.now(), status="Created",
                    role_arn=req["CloudWatchLogsRoleArn"], upload_token=ids.opaque())
    ctx.store.add_import_job(job)
    return _wire(ctx, job)


@action("StartUserImportJob")
def start_user_import_job(ctx: Context, req: Request) -> Response:
    job = _job(ctx, req)
    if job.status != "Created":
        raise PreconditionNotMetException(f"Import job {job.job_id} has already been started (it is {job.status}).")
    pool = require_pool(ctx, req["UserPoolId"])
    if not imports.auto_verified(pool):
        # Cognito's guide: "If the user pool has no auto-verified attributes, the import job will not start."
        raise PreconditionNotMetException("The user pool has no auto-verified attributes (email or phone_number).")
    job.status, job.started = "Pending", ctx.now()
    ctx.store.put_import_job(job)
    services = ctx.services
    ctx.after_commit.append(lambda: imports.start(services, job.job_id))
    return _wire(ctx, job)


@action("StopUserImportJob")
def stop_user_import_job(ctx: Context, req: Request) -> Response:
    job = _job(ctx, req)
    if job.status not in ("Pending", "InProgress"):
        raise PreconditionNotMetException(f"Import job {job.job_id} is not running (it is {job.status}).")
    job.status = "Stopping"  # the job stops before its next batch
    ctx.store.put_import_job(job)
    return _wire(ctx, job)


@action("DescribeUserImportJob")
def describe_user_import_job(ctx: Context, req: Request) -> Response:
    return _wire(ctx, _job(ctx, req))


@action("ListUserImportJobs")
def list_user_import_jobs(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    limit = req["MaxResults"]
    jobs = ctx.store.list_import_jobs(pool.id, paging.decode(req.get("PaginationToken")), limit + 1)
    return paging.listing([(j.job_id, j) for j in jobs], limit, "UserImportJobs",
                          lambda j: j.to_wire(imports.upload_url(ctx.base_url, j)), "PaginationToken")
