"""``sinesys credenciais``: a lawyer's court logins, encrypted at rest.

Secrets (password, TOTP secret, 2FAuth token) never come from the command line: ``add`` asks for
them at hidden prompts, ``import`` reads them from a JSON file or stdin. Nothing prints them back.
"""

from __future__ import annotations

import getpass
import json
import warnings
from pathlib import Path
from typing import IO, Any

import click
from pydantic import SecretStr

from sinesys_spiders.cli._common import echo_json, fail
from sinesys_spiders.cli._inputs import DB_ID, OneLineGroup, parse_tribunal_grau
from sinesys_spiders.cli._rawlog import RawLogReencryption
from sinesys_spiders.core.config import get_settings
from sinesys_spiders.core.credenciais import CredenciaisService, NovaCredencial, TwoFAuth
from sinesys_spiders.core.credenciais_input import (
    CampoInvalido,
    normalize_totp_secret,
    validate_advogado_id,
    validate_senha,
    validate_usuario,
)
from sinesys_spiders.core.crypto import (
    Cipher,
    generate_key,
    load_cipher,
    read_key_file,
    stored_fingerprint,
    write_key_file,
)
from sinesys_spiders.core.errors import EntradaInvalida

__all__ = ["command"]


def _service() -> CredenciaisService:
    return CredenciaisService.from_settings(get_settings())


@click.group("credenciais", cls=OneLineGroup)
def command() -> None:
    """Court credentials of each lawyer (passwords and OTP settings encrypted at rest)."""


@command.command("add")
@click.option(
    "--advogado", "advogado_id", required=True, metavar="ID", help="The lawyer's id (sinesys advogados list)."
)
@click.option("--tribunal", required=True, help="TRT1..TRT24 or TST.")
@click.option("--grau", required=True, help="primeiro_grau, segundo_grau or tribunal_superior.")
@click.option("--usuario", help="SSO login when it is not the lawyer's CPF.")
@click.option(
    "--otp",
    type=click.Choice(["totp", "2fauth", "none"]),
    help="Second factor: a TOTP secret (default), a 2FAuth account, or none.",
)
@click.option("--twofauth-url", help="2FAuth server URL (with --otp 2fauth).")
@click.option("--twofauth-account-id", metavar="N", help="2FAuth account id (with --otp 2fauth).")
def add(
    advogado_id: str,
    tribunal: str,
    grau: str,
    usuario: str | None,
    otp: str | None,
    twofauth_url: str | None,
    twofauth_account_id: str | None,
) -> None:
    """Add a credential and print its id. The password and OTP secret are asked at hidden prompts."""
    trib, gr = parse_tribunal_grau(tribunal, grau)
    if otp is None:
        otp = "2fauth" if twofauth_url or twofauth_account_id else "totp"
    if otp != "2fauth" and (twofauth_url or twofauth_account_id):
        fail(f"--twofauth-url e --twofauth-account-id só valem com --otp 2fauth (recebido --otp {otp})")
    if otp == "2fauth" and not (twofauth_url and twofauth_account_id):
        fail("--otp 2fauth precisa de --twofauth-url e --twofauth-account-id")
    service = _service()
    try:
        advogado = validate_advogado_id(advogado_id)
        login = validate_usuario(usuario)
        if otp == "2fauth":  # check the non-secret parts before asking for the token
            TwoFAuth.from_values(url=twofauth_url, token="-", account_id=twofauth_account_id)  # noqa: S106
        service.check_new(advogado, trib, gr)
    except EntradaInvalida as exc:
        fail(_option_message(exc))

    with warnings.catch_warnings():  # piped stdin: getpass warns it cannot turn echo off (nothing is echoed)
        warnings.simplefilter("ignore", getpass.GetPassWarning)
        senha = click.prompt("Senha do tribunal", hide_input=True, confirmation_prompt="Repita a senha")
        totp_secret = twofauth = None
        if otp == "totp":
            totp_secret = click.prompt("Segredo TOTP (base32 ou otpauth://totp/...)", hide_input=True)
        elif otp == "2fauth":
            token = click.prompt("Token da API do 2FAuth", hide_input=True)
            twofauth = {"url": twofauth_url, "token": token, "account_id": twofauth_account_id}
    try:
        nova = NovaCredencial.from_values(
            advogado_id=advogado,
            tribunal=trib,
            grau=gr,
            senha=senha,
            usuario=login,
            totp_secret=totp_secret,
            twofauth=twofauth,
        )
        new_id = service.add(nova)
    except EntradaInvalida as exc:
        fail(_option_message(exc))
    click.echo(new_id)


_OPTION_OF_FIELD = {
    "advogado_id": "--advogado",
    "usuario": "--usuario",
    "twofauth.url": "--twofauth-url",
    "twofauth.account_id": "--twofauth-account-id",
    "twofauth.token": "o token do 2FAuth",
    "totp_secret": "o segredo TOTP",
    "senha": "a senha",
}


def _option_message(exc: EntradaInvalida) -> str:
    if isinstance(exc, CampoInvalido):
        return f"{_OPTION_OF_FIELD.get(exc.campo, exc.campo)}: {exc.motivo}"
    return exc.message


@command.command("list")
@click.option("--advogado", "advogado_id", type=DB_ID, metavar="ID", help="Only this lawyer's credentials.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_(advogado_id: int | None, as_json: bool) -> None:
    """List credentials without any secret: OTP kind, whether active, and a login failure that stops logins."""
    rows = _service().list(advogado_id=advogado_id)
    if as_json:
        echo_json(
            [
                {
                    "id": r.id,
                    "advogado_id": r.advogado_id,
                    "tribunal": r.tribunal,
                    "grau": r.grau,
                    "usuario": r.usuario_mascarado,
                    "otp": r.otp_kind.value,
                    "active": r.active,
                    "falha_login": r.falha_login,
                    "falha_login_em": r.falha_login_em.isoformat() if r.falha_login_em else None,
                }
                for r in rows
            ]
        )
        return
    if not rows:
        click.echo("nenhuma credencial cadastrada (use: sinesys credenciais add ...)")
        return
    click.echo(
        f"{'ID':>5}  {'ADV':>5}  {'TRIBUNAL':<8}  {'GRAU':<17}  {'USUARIO':<14}  {'OTP':<6}  {'ATIVA':<5}  FALHA LOGIN"
    )
    for r in rows:
        falha = (
            f"{r.falha_login} ({r.falha_login_em:%d/%m/%Y %H:%M} UTC)" if r.falha_login and r.falha_login_em else "-"
        )
        click.echo(
            f"{r.id:>5}  {r.advogado_id:>5}  {r.tribunal:<8}  {r.grau:<17}  {r.usuario_mascarado:<14}  "
            f"{r.otp_kind.value:<6}  {'sim' if r.active else 'não':<5}  {falha}"
        )


@command.command("update")
@click.argument("credencial_id", type=DB_ID)
@click.option("--senha", "ask_senha", is_flag=True, help="Ask for a new password at a hidden prompt.")
@click.option("--usuario", help="A new SSO login.")
@click.option("--usuario-cpf", is_flag=True, help="Log in with the lawyer's CPF again (drop --usuario).")
@click.option(
    "--otp",
    type=click.Choice(["totp", "2fauth", "none"]),
    help="Replace the second factor; the new TOTP secret or 2FAuth token is asked at a hidden prompt.",
)
@click.option("--twofauth-url", help="2FAuth server URL (with --otp 2fauth).")
@click.option("--twofauth-account-id", metavar="N", help="2FAuth account id (with --otp 2fauth).")
def update(
    credencial_id: int,
    ask_senha: bool,
    usuario: str | None,
    usuario_cpf: bool,
    otp: str | None,
    twofauth_url: str | None,
    twofauth_account_id: str | None,
) -> None:
    """Change a credential: its password (after a change at the tribunal), login or second factor."""
    if not (ask_senha or usuario is not None or usuario_cpf or otp):
        fail("nada a alterar: use --senha, --usuario, --usuario-cpf ou --otp")
    if usuario is not None and usuario_cpf:
        fail("use --usuario ou --usuario-cpf, não os dois")
    if otp != "2fauth" and (twofauth_url or twofauth_account_id):
        fail("--twofauth-url e --twofauth-account-id só valem com --otp 2fauth")
    if otp == "2fauth" and not (twofauth_url and twofauth_account_id):
        fail("--otp 2fauth precisa de --twofauth-url e --twofauth-account-id")
    service = _service()
    changes: dict[str, Any] = {}
    try:
        falha = service.resumo(credencial_id).falha_login
        if usuario is not None:
            changes["usuario"] = validate_usuario(usuario)
        if usuario_cpf:
            changes["usuario"] = None
        if otp == "2fauth":
            TwoFAuth.from_values(url=twofauth_url, token="-", account_id=twofauth_account_id)  # noqa: S106
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", getpass.GetPassWarning)
            if ask_senha:
                prompt = click.prompt("Nova senha do tribunal", hide_input=True, confirmation_prompt="Repita a senha")
                changes["senha"] = validate_senha(prompt)
            if otp == "totp":
                secret = click.prompt("Novo segredo TOTP (base32 ou otpauth://totp/...)", hide_input=True)
                changes["totp_secret"] = SecretStr(normalize_totp_secret(secret))
            elif otp == "2fauth":
                token = click.prompt("Token da API do 2FAuth", hide_input=True)
                changes["twofauth"] = TwoFAuth.from_values(
                    url=twofauth_url, token=token, account_id=twofauth_account_id
                )
            elif otp == "none":
                changes["totp_secret"] = changes["twofauth"] = None
        service.update(credencial_id, **changes)
    except EntradaInvalida as exc:
        fail(_option_message(exc))
    click.echo(f"credencial {credencial_id} alterada: {', '.join(sorted(changes))}" + _cleared(falha))


def _cleared(falha: str | None) -> str:
    return f"; falha de login {falha} apagada, o próximo login será tentado" if falha else ""


@command.command("disable")
@click.argument("credencial_id", type=DB_ID)
def disable(credencial_id: int) -> None:
    """Disable a credential: captures skip it until it is enabled again."""
    changed = _service().set_active(credencial_id, False)
    click.echo(f"credencial {credencial_id} desativada" + ("" if changed else " (já estava)"))


@command.command("enable")
@click.argument("credencial_id", type=DB_ID)
def enable(credencial_id: int) -> None:
    """Enable a disabled credential, or clear its recorded login failure so that the next run logs in."""
    service = _service()
    falha = service.resumo(credencial_id).falha_login
    changed = service.set_active(credencial_id, True)
    click.echo(f"credencial {credencial_id} ativada" + ("" if changed else " (já estava)") + _cleared(falha))


@command.command("import")
@click.option(
    "--from-json",
    "source",
    required=True,
    type=click.File("r", encoding="utf-8"),
    metavar="FILE|-",
    help="A JSON list of {advogado_id, tribunal, grau, usuario?, senha, totp_secret? | twofauth?}; - reads stdin.",
)
def import_(source: IO[str]) -> None:
    """Import credentials from JSON, all or none; print the new ids, one per line."""
    try:
        data: Any = json.load(source)
    except json.JSONDecodeError as exc:
        fail(f"JSON inválido (linha {exc.lineno}, coluna {exc.colno}): {exc.msg}")
    except UnicodeDecodeError:
        fail("o arquivo não é texto UTF-8")
    except RecursionError:
        fail("JSON inválido: aninhamento profundo demais")
    except ValueError:  # a number of thousands of digits (Python's int limit)
        fail("JSON inválido: número grande demais")
    if not isinstance(data, list) or not data:
        fail("o JSON deve ser uma lista não vazia de objetos de credencial")
    novas = []
    for index, entry in enumerate(data):
        try:
            novas.append(NovaCredencial.from_mapping(entry))
        except EntradaInvalida as exc:
            fail(f"entrada {index}: {exc.message}")
    try:
        ids = _service().add_many(novas)
    except EntradaInvalida as exc:
        fail(exc.message)
    for new_id in ids:
        click.echo(new_id)


@command.command("rotate-key")
@click.option(
    "--new-key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the new key is written (or read, if it exists). Required with SINESYS_SECRET_KEY.",
)
def rotate_key(new_key_file: Path | None) -> None:
    """Re-encrypt every credential, stored session and raw-log page under a new key.

    Credentials and sessions change in one transaction; the raw log first, in batches (an interrupted
    run keeps the new key and is finished by running the command again). With the embedded key file:
    generates a new key, re-encrypts, then replaces the key file atomically. With SINESYS_SECRET_KEY:
    writes the new key to --new-key-file; update the environment of every process with it afterwards.
    """
    settings = get_settings()
    env_mode = settings.secret_key is not None
    key_file = settings.effective_secret_key_file
    if env_mode and new_key_file is None:
        fail("com SINESYS_SECRET_KEY definida, informe --new-key-file ARQUIVO (a nova chave é gravada nele)")
    if not env_mode and not key_file.exists():
        esperada = stored_fingerprint(settings.effective_database_url)
        onde = f"; os dados cifrados do banco usam a chave {esperada}" if esperada else ""
        fail(f"não há chave para trocar: {key_file} não existe e SINESYS_SECRET_KEY não está definida{onde}")
    staged = new_key_file or key_file.with_name(key_file.name + ".new")
    if not env_mode and staged.resolve() == key_file.resolve():
        fail("--new-key-file não pode ser o próprio arquivo de chave atual")
    old = load_cipher(settings)
    created = not staged.exists()
    if created:
        write_key_file(staged, generate_key())
    new = Cipher(read_key_file(staged))
    if new.fingerprint == old.fingerprint:
        fail(f"a chave em {staged} é a mesma chave atual")
    service = CredenciaisService.from_settings(settings)
    rawlog = RawLogReencryption(settings, old, new)
    try:
        service.check_rotation(old, new)  # refuse before the raw log changes
        rawlog.run()
        report = service.rotate_key(old, new)
    except BaseException:
        if rawlog.progress.escritas:
            again = "sinesys credenciais rotate-key" + (f" --new-key-file {staged}" if new_key_file else "")
            click.echo(
                f"aviso: {rawlog.progress.escritas} página(s) do log bruto já estão sob a nova chave, em {staged}: "
                f"não apague esse arquivo e rode `{again}` de novo para terminar",
                err=True,
            )
        elif created:
            staged.unlink(missing_ok=True)
        raise
    click.echo(
        f"re-cifradas {report.credenciais} credenciais e {report.sessoes} sessões "
        f"(chave {report.chave_antiga} -> {report.chave_nova})"
    )
    click.echo(rawlog.summary())
    if rawlog.warning():
        click.echo(rawlog.warning(), err=True)
    if env_mode:
        click.echo(
            f"a nova chave está em {staged}: atualize SINESYS_SECRET_KEY com o conteúdo desse arquivo em todos "
            "os processos e reinicie-os; a chave antiga não decifra mais as credenciais"
        )
        return
    if new_key_file is None:
        staged.replace(key_file)
    else:
        write_key_file(key_file, staged.read_text(encoding="ascii"), replace=True)
    click.echo(f"{key_file} agora guarda a nova chave; reinicie os processos que usam a chave antiga")
