"""``sinesys sandbox``: serve a simulated PJE-TRT (every tribunal and grau) until interrupted.

Registered as a ``sinesys.commands`` entry point; heavy imports stay inside the command so that
``sinesys --help`` stays fast.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["sandbox"]

SCALES = ("tiny", "small", "firm", "large")


def _write_private(path: Path, data: Any) -> None:
    """Write JSON readable by the owner only (mode 0600), replacing the file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, default=str)
    os.replace(tmp, path)
    os.chmod(path, 0o600)


def _check_writable(path: Path, option: str) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if path.is_dir() or not os.access(existing, os.W_OK):
        raise click.UsageError(f"{option} {path}: não é possível escrever aí")


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address of the SSO and admin API (127.x.y.z).")
@click.option("--port", default=8800, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--seed", default=42, show_default=True, type=int, help="Seed of the synthetic data.")
@click.option("--scale", default="small", show_default=True, type=click.Choice(SCALES), help="Size of the data.")
@click.option("--users", "n_users", default=2, show_default=True, type=click.IntRange(1, 500), help="Demo users.")
@click.option("--users-file", default="var/sandbox-users.json", show_default=True, type=click.Path(dir_okay=False))
@click.option("--truth-file", default=None, type=click.Path(dir_okay=False), help="Write the ground truth here.")
@click.option("--faults", "faults_spec", default=None, help="Fault profile: a JSON file or a bundled profile name.")
@click.option("--tribunais", default=None, help="Serve only these tribunals, e.g. TRT3,TRT5 (default: all).")
@click.option("--today", default=None, help="The world's today (AAAA-MM-DD), for reproducible dates.")
@click.option(
    "--totp-period",
    default=30,
    show_default=True,
    type=click.IntRange(1, 300),
    help="Seconds per TOTP step of the users (PJE: 30); a short one lets tests log in again without waiting.",
)
@click.option(
    "--totp-digits", default=6, show_default=True, type=click.IntRange(6, 8), help="Digits of a TOTP code (PJE: 6)."
)
def sandbox(
    host: str,
    port: int,
    seed: int,
    scale: str,
    n_users: int,
    users_file: str,
    truth_file: str | None,
    faults_spec: str | None,
    tribunais: str | None,
    today: str | None,
    totp_period: int,
    totp_digits: int,
) -> None:
    """Serve a simulated PJE-TRT: the SSO login, the REST API, fault injection and an admin API.

    With ``--totp-period`` or ``--totp-digits`` other than 30 and 6, the users file gives each TOTP
    secret as an ``otpauth://`` URI carrying them; a credential stores it as it is.
    """
    from sinesys_spiders.cli._common import fail

    try:
        config = _validate(host, tribunais, faults_spec, today, users_file, truth_file)
    except (ValueError, click.UsageError) as exc:
        fail(str(exc.message if isinstance(exc, click.UsageError) else exc))
    config["totp"] = {"totp_period": totp_period, "totp_digits": totp_digits}
    _run(config, host=host, port=port, seed=seed, scale=scale, n_users=n_users)


def _validate(
    host: str,
    tribunais: str | None,
    faults_spec: str | None,
    today: str | None,
    users_file: str,
    truth_file: str | None,
) -> dict[str, Any]:
    from plugins.pje_trt.sandbox.faults import FaultProfile, load_profile
    from plugins.pje_trt.sandbox.hosts import check_sso_host
    from plugins.pje_trt.tribunais import TribunalTrt as Tribunal

    check_sso_host(host)
    selected = list(Tribunal)
    if tribunais:
        codes = [c for c in tribunais.split(",") if c.strip()]
        if not codes:
            raise ValueError("--tribunais vazio; use ex. TRT3,TRT5")
        selected = sorted({Tribunal.parse(c) for c in codes}, key=lambda t: t.ordem)
    profile = load_profile(faults_spec) if faults_spec else FaultProfile(name="none")
    day = None
    if today:
        try:
            day = datetime.date.fromisoformat(today)
        except ValueError:
            raise ValueError(f"--today {today!r} inválido; use AAAA-MM-DD") from None
    _check_writable(Path(users_file), "--users-file")
    if truth_file:
        _check_writable(Path(truth_file), "--truth-file")
    return {
        "tribunais": selected,
        "profile": profile,
        "today": day,
        "users_file": Path(users_file),
        "truth_file": Path(truth_file) if truth_file else None,
    }


def _run(config: dict[str, Any], *, host: str, port: int, seed: int, scale: str, n_users: int) -> None:

    from plugins.pje_trt.sandbox import hosts
    from plugins.pje_trt.sandbox.app import create_app
    from plugins.pje_trt.sandbox.faults import FaultEngine
    from plugins.pje_trt.sandbox.server import bind_sockets, serve
    from plugins.pje_trt.sandbox.world import World
    from sinesys_spiders.cli._common import fail

    selected = config["tribunais"]
    world = World.generate(
        seed=seed,
        scale=scale,
        users=n_users,
        tribunais=[t.value for t in selected],
        today=config["today"],
        **config.get("totp", {}),
    )
    addresses = [host] + [hosts.tribunal_address(t) for t in selected]
    try:
        port, sockets = bind_sockets(addresses, port)
    except OSError as exc:
        fail(f"não foi possível abrir a porta: {exc.strerror or exc} (use outra --port, ou 0 para uma livre)")
    admin_token = secrets.token_urlsafe(24)
    app, box = create_app(
        world,
        sso_host=host,
        port=port,
        tribunais=selected,
        admin_token=admin_token,
        faults=FaultEngine(config["profile"]),
    )
    urls = box.urls()
    users_path: Path = config["users_file"]
    _write_private(
        users_path,
        {
            "seed": seed,
            "scale": scale,
            "today": world.today.isoformat(),
            **urls,
            "admin_token": admin_token,
            "users": [u.as_dict() for u in world.users],
        },
    )
    truth_path: Path | None = config["truth_file"]
    if truth_path is not None:
        world.write_truth_file(truth_path)

    def on_ready() -> None:
        out = sys.stdout
        out.write(f"sandbox PJE-TRT: seed {seed}, scale {scale}, {len(world.users)} users, {len(selected)} tribunais\n")
        totp = world.users[0].totp
        if not totp.is_default:
            out.write(f"TOTP   {totp.period} s steps, {totp.digits} digits (PJE: 30 s, 6)\n")
        out.write(f"SSO    {urls['sso_url']}\n")
        out.write(f"admin  {urls['admin_url']}/  (token in {users_path})\n")
        for code, info in urls["tribunais"].items():
            for grau, login_url in info["login_urls"].items():
                out.write(f"{code:<6} {grau:<18} {info['base_url']}  login {login_url}\n")
        out.write(f"users  {users_path}\n")
        if truth_path is not None:
            out.write(f"truth  {truth_path}\n")
        out.write(f"ready: {box.sso_url}\n")
        out.flush()

    serve(app, sockets, on_ready=on_ready)
