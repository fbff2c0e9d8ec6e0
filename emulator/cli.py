"""`cognito-emulator` / `python -m emulator`: parse flags, bind, serve; and
`cognito-emulator export|import FILE` for snapshots of a data directory."""

from __future__ import annotations

import argparse
import json
import logging
import socket
import sys
from pathlib import Path

import uvicorn

from .app import build_services, create_app
from .clock import SystemClock
from .seed import SeedError
from .settings import Settings
from .snapshot import export_snapshot, import_snapshot

log = logging.getLogger("emulator")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="cognito-emulator",
        description="A local Amazon Cognito User Pools emulator. Every flag also reads "
        "COGNITO_EMULATOR_<NAME> from the environment (flags win).",
    )
    p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on; 0 picks a free one (default 9229)")
    p.add_argument("--data-dir", help="where the SQLite store lives (default ./data)")
    p.add_argument("--keys-dir", help="where pool signing keys live (default ./keys)")
    p.add_argument("--public-url", help="base URL for issuers and discovery (default: the Host the client used)")
    p.add_argument("--issuer-style", choices=["local", "aws"], help="'aws' mints https://cognito-idp.<region>.amazonaws.com/<poolId> issuers")
    p.add_argument("--region", help="default region when a request does not say (default us-east-1)")
    p.add_argument("--account-id", help="account id in ARNs (default 123456789012)")
    p.add_argument("--bcrypt-rounds", type=int, help="bcrypt cost (default 4: fast test suites)")
    p.add_argument("--sqlite-synchronous", help="SQLite synchronous mode, FULL (default) or NORMAL")
    p.add_argument("--fixed-code", help="send this code instead of random 6-digit ones (deterministic tests)")
    p.add_argument("--smtp-host", help="also deliver email over SMTP to this host")
    p.add_argument("--smtp-port", type=int, help="SMTP port (default 25)")
    p.add_argument("--smtp-from", help="sender address for SMTP email")
    p.add_argument("--deterministic-ids", action="store_const", const="1",
                   help="derive pool ids, client ids, secrets and subs from names")
    p.add_argument("--seed", help="JSON seed file applied at start-up (pools, clients, groups, users)")
    p.add_argument("--control-hosts", help="hosts the /_emulator endpoints also answer, comma-separated "
                   "(docker-compose service names; default: loopback and the --public-url host only)")
    p.add_argument("--log-level", help="debug, info (default: one line a request), warning, error")
    return p.parse_args(argv)


def snapshot_command(argv: list[str]) -> None:
    """export [-o FILE] / import FILE, on the data and keys directories (stop the server first
    for import, or use POST /_emulator/snapshot on a running one). An import is all or
    nothing, as the endpoint's (snapshot.py)."""
    p = argparse.ArgumentParser(prog=f"cognito-emulator {argv[0]}")
    p.add_argument("file", nargs="?" if argv[0] == "export" else None, default="-",
                   help="snapshot file ('-' for stdout/stdin)")
    p.add_argument("--data-dir")
    p.add_argument("--keys-dir")
    args = p.parse_args(argv[1:])
    settings = Settings.from_env(data_dir=args.data_dir, keys_dir=args.keys_dir)
    services = build_services(settings, SystemClock())
    try:
        if argv[0] == "export":
            text = json.dumps(export_snapshot(services), indent=1)
            if args.file == "-":
                sys.stdout.write(text + "\n")
            else:
                Path(args.file).write_text(text)
        else:
            raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
            import_snapshot(services, json.loads(raw))
    except (OSError, ValueError) as exc:
        sys.exit(f"cognito-emulator {argv[0]}: {exc}")
    except RecursionError:
        sys.exit(f"cognito-emulator {argv[0]}: the snapshot is nested too deeply")
    finally:
        services.store.close()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("export", "import"):
        snapshot_command(argv)
        return
    args = parse_args(argv)
    try:
        settings = Settings.from_env(**{k: v for k, v in vars(args).items() if v is not None})
    except ValueError as exc:
        sys.exit(f"cognito-emulator: {exc}")
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        app = create_app(settings)
    except SeedError as exc:
        sys.exit(f"cognito-emulator: {exc} (nothing was seeded; not starting)")
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose proto
    # says TCP; with 0 every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    # Listening before we say so: a client that connects on reading the first log line
    # waits in the backlog until the server takes it, instead of being refused.
    sock.listen(2048)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    log.info("cognito-emulator listening on http://%s:%d (data %s, keys %s)", shown, port,
             settings.data_dir, settings.keys_dir)
    if app.state.seeded:
        log.info("seeded from %s: %s", settings.seed, ", ".join(f"{n} {k}" for k, n in app.state.seeded.items()))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
