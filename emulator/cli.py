"""`cognito-emulator` / `python -m emulator`: parse flags, bind, serve; and
`cognito-emulator export|import FILE` for snapshots of a data directory. A mistake in
how it is started is one line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import errno
import logging
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NoReturn

# Only the settings are imported up front: a mistake in them is told at once, not after
# the second it takes to import the server (the rest is imported once they are good).
from .dirlock import DataDirInUse
from .settings import ENV_PREFIX, Settings, SettingsError, flag_of, shown

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from .snapshot import Incoming

log = logging.getLogger("emulator")

SUBCOMMANDS = """subcommands (on a data directory no server is using):
  cognito-emulator export [FILE] [--data-dir D] [--keys-dir K]   write a snapshot ('-': stdout)
  cognito-emulator import FILE [--data-dir D] [--keys-dir K]     replace the state with one
"""


class CliError(Exception):
    """A mistake in how the emulator was started: shown as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="cognito-emulator",
        description="A local Amazon Cognito User Pools emulator. Every flag also reads "
        "COGNITO_EMULATOR_<NAME> from the environment (flags win).",
        epilog=SUBCOMMANDS, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", help="port to listen on; 0 picks a free one (default 9229)")
    p.add_argument("--data-dir", help="where the SQLite store lives (default ./data)")
    p.add_argument("--keys-dir", help="where pool signing keys live (default ./keys)")
    p.add_argument("--public-url", help="base URL for issuers and discovery (default: the Host the client used)")
    p.add_argument("--issuer-style", help="local (default) or aws: 'aws' mints https://cognito-idp.<region>.amazonaws.com/<poolId> issuers")
    p.add_argument("--region", help="default region when a request does not say (default us-east-1)")
    p.add_argument("--account-id", help="account id in ARNs (default 123456789012)")
    p.add_argument("--bcrypt-rounds", help="bcrypt cost (default 4: fast test suites)")
    p.add_argument("--sqlite-synchronous", help="SQLite synchronous mode, FULL (default) or NORMAL")
    p.add_argument("--fixed-code", help="send this code instead of random 6-digit ones (deterministic tests)")
    p.add_argument("--smtp-host", help="also deliver email over SMTP to this host")
    p.add_argument("--smtp-port", help="SMTP port (default 25)")
    p.add_argument("--smtp-from", help="sender address for SMTP email")
    p.add_argument("--deterministic-ids", action="store_const", const="1",
                   help="derive pool ids, client ids, secrets and subs from names")
    p.add_argument("--seed", help="JSON seed file applied at start-up (pools, clients, groups, users)")
    p.add_argument("--control-hosts", help="hosts the /_emulator endpoints also answer, comma-separated "
                   "(docker-compose service names; default: loopback and the --public-url host only)")
    p.add_argument("--lambda-dir", help="directory (or importable module) of Python trigger handlers, "
                   "one file per function named by the LambdaConfig ARN: handler(event, context)")
    p.add_argument("--lambda-endpoint", help="Lambda Invoke API URL triggers are invoked through "
                   "(sam local start-lambda, serverless-offline, LocalStack)")
    p.add_argument("--lambda-timeout-ms", help="how long a trigger may run (default 5000)")
    p.add_argument("--sts-endpoint", help="STS (moto, LocalStack) that mints identity pools' credentials "
                   "with AssumeRoleWithWebIdentity (default: random credentials)")
    p.add_argument("--log-level", help="debug, info (default: one line a request), warning, error")
    return p


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def snapshot_command(argv: list[str]) -> None:
    """export [FILE] / import FILE, on the data and keys directories of a stopped server
    (a running one has GET / POST /_emulator/snapshot). An import is all or nothing, as
    the endpoint's (snapshot.py)."""
    p = _Parser(prog=f"cognito-emulator {argv[0]}")
    p.add_argument("file", nargs="?" if argv[0] == "export" else None, default="-",
                   help="snapshot file ('-' for stdout/stdin)")
    p.add_argument("--data-dir")
    p.add_argument("--keys-dir")
    args = p.parse_args(argv[1:])
    settings = _settings({"data_dir": args.data_dir, "keys_dir": args.keys_dir})
    _check_dirs(settings)
    from .app import build_services
    from .clock import SystemClock
    from .snapshot import Incoming, stream_snapshot

    try:
        services = build_services(settings, SystemClock())
    except DataDirInUse as exc:
        raise CliError(f"{exc}: stop it first, or use GET / POST /_emulator/snapshot on it") from None
    try:
        if argv[0] == "export":
            with _output(args.file) as out:
                for piece in stream_snapshot(services):
                    out.write(piece)
        else:
            _import(Incoming(services), args.file)
    except (OSError, ValueError) as exc:
        raise CliError(f"{argv[0]}: {exc}") from None
    except RecursionError:
        raise CliError(f"{argv[0]}: the snapshot is nested too deeply") from None
    finally:
        services.store.close()


@contextmanager
def _output(file: str) -> Iterator[BinaryIO]:
    if file == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
    else:
        with Path(file).open("wb") as out:
            yield out


def _import(incoming: Incoming, file: str) -> None:
    """Stream the file into the import (a megabyte at a time), then swap it in."""
    try:
        with (nullcontext(sys.stdin.buffer) if file == "-" else Path(file).open("rb")) as source:
            while piece := source.read(1 << 20):
                incoming.feed(piece)
        incoming.feed(b"", final=True)
        incoming.finish()
    except BaseException:
        incoming.discard()
        raise
    incoming.swap()


def serve(argv: list[str]) -> None:
    settings = _settings(vars(parse_args(argv)))
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    _check_dirs(settings)
    app = _app(settings)
    try:
        sock = _listen(settings)
    except CliError:
        app.state.services.store.close()
        raise
    host, port = sock.getsockname()[:2]
    address = f"[{host}]" if sock.family == socket.AF_INET6 else host
    log.info("cognito-emulator listening on http://%s:%d (data in %s, keys in %s)", address, port,
             shown(settings.data_dir), shown(settings.keys_dir))
    if app.state.seeded:
        log.info("seeded from %s: %s", settings.seed, ", ".join(f"{n} {k}" for k, n in app.state.seeded.items()))
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


def _settings(given: dict[str, object]) -> Settings:
    try:
        return Settings.from_env(**{k: v for k, v in given.items() if v is not None})
    except SettingsError as exc:
        raise CliError(str(exc)) from None


def _check_dirs(settings: Settings) -> None:
    """Both directories exist (made if need be) and take a new file: found now, in words,
    rather than as a traceback from SQLite or from the first pool's key."""
    for name in ("data_dir", "keys_dir"):
        path: Path = getattr(settings, name)
        where = f"the {name[:-4]} directory {shown(path)} ({flag_of(name)} / {ENV_PREFIX}{name.upper()})"
        if path.exists() and not path.is_dir():
            raise CliError(f"{where} is a file, not a directory")
        try:
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=path):
                pass
        except OSError as exc:
            raise CliError(f"cannot write to {where}: {exc.strerror or exc}") from None


def _app(settings: Settings) -> Starlette:
    from .app import create_app
    from .seed import SeedError

    try:
        return create_app(settings)
    except DataDirInUse as exc:
        raise CliError(f"{exc}: stop it, or give this one another --data-dir") from None
    except SeedError as exc:
        raise CliError(f"{exc} (nothing was seeded; not starting)") from None


def _listen(settings: Settings) -> socket.socket:
    host, port = settings.host, settings.port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    where = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
    # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose proto
    # says TCP; with 0 every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # Listening before we say so: a client that connects on reading the first log line
        # waits in the backlog until the server takes it, instead of being refused.
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CliError(f"{where} is already in use — is another emulator running? "
                           "Pick another with --port") from None
        raise CliError(f"cannot listen on {where} (--host, --port): {exc.strerror or exc}") from None
    return sock


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] in ("export", "import"):
            snapshot_command(argv)
        else:
            serve(argv)
    except CliError as exc:
        sys.stderr.write(f"cognito-emulator: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
