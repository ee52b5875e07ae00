"""The ``assess`` command line: serve, worker, outbox, migrate, create-user, demo, library,
analyse."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

os.environ.setdefault("PICCOLO_CONF", "server.piccolo_conf")

from server.core.errors import Conflict, DomainError, Invalid
from server.core.vocabulary import OutboxStatus
from server.settings import get_settings


def _run(coro):
    return asyncio.run(coro)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.bootstrap import prepare

    settings = get_settings()
    host = args.host or settings.host
    port = args.port or settings.port
    logins = _run(prepare(settings))
    where = (
        settings.database.path
        if not settings.database.is_postgres
        else (
            f"postgresql {settings.database.host}:{settings.database.port}/{settings.database.name}"
        )
    )
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    print("\n  Assessment engine")
    print(f"  Open   http://{shown}:{port}/login")
    print(f"  API    http://{shown}:{port}/schema  (OpenAPI)")
    print(f"  Data   {where}")
    if settings.smtp_url:
        print(f"  Mail   sent through {settings.smtp_url.rsplit('@', 1)[-1]}")
    else:
        print("  Mail   not sent: no mail server configured (SMTP_URL); see `assess outbox`")
    if settings.admin_email:
        print(f"  Log in as {settings.admin_email} with ADMIN_PASSWORD")
    for login in logins:
        print(f"  Log in as {login.email:24} password {login.password}   ({login.role})")
    from server.demo.hiring import demo_link

    link = demo_link(settings.var_dir) if settings.demo else None
    if link:
        print(f"  Try the candidate test: http://{shown}:{port}{link}")
    if not settings.admin_email and not logins:
        print("  No demo logins: set ADMIN_EMAIL and ADMIN_PASSWORD, or run `assess create-user`")
    print("  Stop with Ctrl+C\n", flush=True)
    uvicorn.run(
        "server.asgi:app",
        host=host,
        port=port,
        workers=args.workers,
        # X-Forwarded-For only from the proxies named in TRUSTED_PROXIES: otherwise any
        # client could claim a new address per login attempt and dodge the address lock
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
        log_level="info",
        access_log=False,
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from server.bootstrap import migrate
    from server.outbox.commands import run_worker

    async def work() -> int:
        await migrate()
        return await run_worker(get_settings(), once=args.once)

    return _run(work())


def cmd_outbox(args: argparse.Namespace) -> int:
    from server.bootstrap import migrate
    from server.outbox.commands import show_outbox

    async def show() -> int:
        await migrate()
        return await show_outbox(
            get_settings(), status=args.status, limit=args.limit, show=args.show
        )

    return _run(show())


def cmd_migrate(_: argparse.Namespace) -> int:
    from server.bootstrap import migrate

    _run(migrate(quiet=False))
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    import msgspec

    from server.accounts import repository as accounts
    from server.bootstrap import migrate
    from server.core.passwords import hash_password
    from server.core.schemas import UserIn

    password = args.password or os.environ.get("USER_PASSWORD") or getpass.getpass("Password: ")
    try:
        data = msgspec.convert(
            {"email": args.email, "role": args.role, "password": password, "name": args.name},
            UserIn,
        )
    except msgspec.ValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    async def create() -> None:
        await migrate()
        user = await accounts.create_user(
            email=data.email,
            role=data.role,
            name=data.name,
            password_hash=await hash_password(data.password),
        )
        print(f"created {user.role} {user.email} (id {user.id})")

    try:
        _run(create())
    except Conflict as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    return 0


def cmd_demo(_: argparse.Namespace) -> int:
    from server.bootstrap import DEMO_LIBRARY, demo_logins, import_file, migrate

    async def demo() -> None:
        await migrate()
        from server.demo.hiring import demo_link, load

        settings = get_settings()
        counts = await import_file(DEMO_LIBRARY)
        print(f"demo library: {counts.created} created, {counts.updated} updated")
        for login in await demo_logins(settings):
            print(f"login {login.email} password {login.password} ({login.role})")
        import numpy as np

        from server.demo import job_analysis as demo_study

        if await demo_study.load(np.random.default_rng(17)):
            print("demo job analysis: the operator's flags, with their evidence")
        await load(settings.var_dir)
        link = demo_link(settings.var_dir)
        if link:
            print(f"candidate link: {link}")

    _run(demo())
    return 0


def cmd_library_import(args: argparse.Namespace) -> int:
    from server.bootstrap import import_file, migrate

    async def run() -> None:
        await migrate()
        counts = await import_file(Path(args.file))
        print(f"imported {args.file}: {counts.created} created, {counts.updated} updated")

    try:
        _run(run())
    except DomainError as exc:
        print(f"error: {exc.detail}; nothing was changed", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem.path}: {problem.message}", file=sys.stderr)
        return 1
    except FileNotFoundError:
        print(f"error: no such file {args.file}", file=sys.stderr)
        return 1
    return 0


def cmd_library_export(args: argparse.Namespace) -> int:
    from server.bootstrap import migrate
    from server.library import repository as repo
    from server.library.convert import library_document
    from server.library.io import document_bytes

    async def run() -> bytes:
        await migrate()
        body, _ = document_bytes(library_document(await repo.export_library()), args.format)
        return body

    body = _run(run())
    if args.output:
        Path(args.output).write_bytes(body)
    else:
        sys.stdout.buffer.write(body)
    return 0


def cmd_analyse(args: argparse.Namespace) -> int:
    """Reliability of a CSV (respondents x items) as JSON, HTML or PDF; no database."""
    import json

    from server.analysis.csv_matrix import analyse_csv

    path = Path(args.file)
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        result = analyse_csv(
            data, reverse=args.reverse, scale=args.scale, seed=args.seed, max_bytes=None
        )
    except Invalid as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem.path}: {problem.message}", file=sys.stderr)
        return 1
    if args.format == "json":
        body = (json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n").encode()
    else:
        from reports.analysis import analysis_html

        name = "standard input" if args.file == "-" else path.name
        html = analysis_html(result, title=f"Reliability of {name}", source=name)
        if args.format == "pdf":
            from reports.pdf import pdf_bytes

            body = pdf_bytes(html)
        else:
            body = html.encode("utf-8")
    if args.output:
        Path(args.output).write_bytes(body)
        print(f"wrote {args.output} ({result.n} respondents x {result.k} items)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="assess",
        description="Assessment engine: competency library, SJTs and 360 reviews. "
        "Configuration comes from the environment (DATABASE_URL, HOST, PORT, ...).",
    )
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="migrate, load demo data if empty, and serve HTTP")
    s.add_argument("--host", default=None, help="default: HOST or 127.0.0.1")
    s.add_argument("--port", type=int, default=None, help="default: PORT or 8000")
    s.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "1") or 1))
    s.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    w = sub.add_parser(
        "worker", help="send the outbox and run background jobs (as many as you like)"
    )
    w.add_argument("--once", action="store_true", help="one pass, then stop")
    w.set_defaults(func=cmd_worker)
    o = sub.add_parser("outbox", help="list the messages to send and sent, or show one")
    o.add_argument("--status", choices=[s.value for s in OutboxStatus], default=None)
    o.add_argument("--limit", type=int, default=50)
    o.add_argument("--show", type=int, default=None, metavar="ID", help="print one message")
    o.set_defaults(func=cmd_outbox)
    u = sub.add_parser("create-user", help="create a staff user")
    u.add_argument("email")
    u.add_argument("--role", choices=["admin", "recruiter", "coach"], required=True)
    u.add_argument("--name", default="")
    u.add_argument("--password", default=None, help="default: USER_PASSWORD or a prompt")
    u.set_defaults(func=cmd_create_user)
    sub.add_parser(
        "demo", help="load the demo library, SJT item bank, a vacancy and demo logins"
    ).set_defaults(func=cmd_demo)
    lib = sub.add_parser("library", help="import or export the competency library")
    lsub = lib.add_subparsers(dest="library_command", required=True)
    li = lsub.add_parser("import", help="create or update from a JSON or YAML file")
    li.add_argument("file")
    li.set_defaults(func=cmd_library_import)
    le = lsub.add_parser("export", help="write the library as JSON or YAML")
    le.add_argument("--format", choices=["json", "yaml"], default="yaml")
    le.add_argument("--output", "-o", default=None, help="default: standard output")
    le.set_defaults(func=cmd_library_export)
    an = sub.add_parser(
        "analyse",
        aliases=["analyze"],
        help="reliability of a CSV of respondents x items (no database needed)",
        description="Cronbach's alpha (Feldt interval, pairwise and listwise), omega, "
        "Guttman's lambda 6, split-half, item analysis and the SEM of a CSV whose first line "
        "names the items (an optional first column of respondent ids; empty, NA or . for a "
        "missing answer). Problems are listed with their line and column (exit status 1).",
    )
    an.add_argument("file", help="the CSV file, or - for standard input")
    an.add_argument("--reverse", default=None, help="items to reverse key, e.g. A1,A3")
    an.add_argument(
        "--scale",
        default=None,
        help="min,max of the response scale, e.g. 1,6 (default: from the data)",
    )
    an.add_argument("--format", choices=["json", "html", "pdf"], default="json")
    an.add_argument("--output", "-o", default=None, help="default: standard output")
    an.add_argument("--seed", type=int, default=0, help="seed of the random split-halves")
    an.set_defaults(func=cmd_analyse)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ValueError as exc:  # bad settings
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
