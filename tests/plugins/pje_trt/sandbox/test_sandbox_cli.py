"""``sinesys sandbox``: what it prints and writes, and how it refuses bad input."""

from __future__ import annotations

import socket
import stat
import subprocess
import sys

import httpx
import pytest

from sinesys_spiders.testing.sandbox_fixtures import start_sandbox

CLI = [sys.executable, "-c", "from sinesys_spiders.cli import main; main()", "sandbox"]


def _run(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--users-file", "users.json", *args], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "10.0.0.1"], "--host"),
        (["--host", "127.0.1.3"], "TRT3"),
        (["--host", "localhost"], "--host"),
        (["--tribunais", "TRT3,TRT99"], "TRT99"),
        (["--faults", "nao-existe"], "nao-existe"),
        (["--faults", "perfil.json"], "perfil.json"),
        (["--today", "2026-02-30"], "--today"),
        (["--scale", "huge"], "huge"),
        (["--totp-period", "0"], "--totp-period"),
        (["--totp-digits", "9"], "--totp-digits"),
    ],
)
def test_bad_input_is_one_line_nonzero_and_nothing_written(tmp_path, args, message):
    """A bad option is refused with one line on stderr and exit 2; no users file is written."""
    result = _run(tmp_path, "--port", "0", *args)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 or "Usage:" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "users.json").exists()


def test_port_in_use_is_one_clear_line(tmp_path):
    """A port already taken gets one line naming the problem, exit 2, nothing written."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(tmp_path, "--port", str(port), "--tribunais", "TRT3")
    assert result.returncode == 2
    assert "porta" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "users.json").exists()


def test_prints_every_tribunal_and_grau_and_writes_a_private_users_file(tmp_path):
    """--tribunais TRT3,TST: the SSO, admin and each served tribunal/grau are printed; users file is 0600."""
    with start_sandbox(tmp_path, users=3, tribunais="TRT3,TST", truth_file=True) as sandbox:
        banner = "\n".join(sandbox.banner)
        port = sandbox.health()["port"]
        for expected in (
            f"http://127.0.0.1:{port}/auth/realms/pje",
            f"http://127.0.0.1:{port}/_sandbox/",
            f"http://127.0.1.3:{port}/primeirograu/login.seam",
            f"http://127.0.1.3:{port}/segundograu/login.seam",
            f"http://127.0.1.25:{port}/tst/login.seam",
        ):
            assert expected in banner
        assert "TRT5" not in banner
        assert sandbox._token not in banner
        assert all(u.cpf not in banner and u.senha not in banner for u in sandbox.users)
        mode = stat.S_IMODE(sandbox.users_file.stat().st_mode)
        assert mode == 0o600
        assert len(sandbox.users) == 3
        assert sandbox.info["admin_token"]
        assert (tmp_path / "sandbox-truth.json").exists()
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.1.5:{port}/primeirograu/login.seam")


def test_same_seed_gives_the_same_users_and_truth(tmp_path):
    """Two sandboxes with the same seed and date serve the same users and the same ground truth."""
    runs = []
    for name in ("a", "b"):
        with start_sandbox(tmp_path / name, users=2, tribunais="TRT3", today="2026-05-04", seed=7) as sandbox:
            runs.append(([u.cpf for u in sandbox.users], sandbox.truth(tribunal="TRT3")))
    assert runs[0] == runs[1]


def test_bundled_fault_profile_is_active_from_the_start(tmp_path):
    """--faults waf starts with the WAF profile: login.seam is blocked from the first request."""
    with start_sandbox(tmp_path, users=1, tribunais="TRT3", faults="waf") as sandbox:
        assert sandbox.faults()["profile"]["name"] == "waf"
        response = httpx.get(sandbox.login_url("TRT3", "primeiro_grau"))
        assert response.status_code == 403
