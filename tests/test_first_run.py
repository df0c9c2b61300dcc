"""The test command on a machine without Chromium: scripts/test.sh installs the system packages
the browser tests need (root) or prints the one command to run and stops (anyone else).

The machine's own packages are never touched: PORTAL_CHROMIUM points at a path in tmp_path and
`id`, `dpkg-query` and `apt-get` are stand-ins on PATH that log their calls — the same probes and
commands the script uses on a real machine.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FAKES = {
    # uid from $FAKE_UID (the script asks `id -u`)
    "id": 'echo "$FAKE_UID"\n',
    # fonts-noto-cjk is installed once $FAKE_STATE/fonts exists
    "dpkg-query": 'echo "dpkg-query $*" >> "$FAKE_STATE/calls"\n'
                  '[ -f "$FAKE_STATE/fonts" ] && printf "install ok installed" || exit 1\n',
    # `install` puts the browser at $PORTAL_CHROMIUM and the fonts in place, unless $FAKE_APT_FAILS
    "apt-get": 'echo "apt-get $*" >> "$FAKE_STATE/calls"\n'
               '[ -n "$FAKE_APT_FAILS" ] && { echo "E: Unable to locate package chromium"; exit 100; }\n'
               'if [ "$1" = install ]; then\n'
               '  printf "#!/bin/sh\\necho Chromium 1.0\\n" > "$PORTAL_CHROMIUM"; chmod +x "$PORTAL_CHROMIUM"\n'
               '  touch "$FAKE_STATE/fonts"\n'
               'fi\n',
}


def _machine(tmp_path: Path, uid: int, *, chromium: bool = False, fonts: bool = False, apt_fails: bool = False):
    """Environment of a machine where Chromium and the fonts are present or not, run as `uid`."""
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    state.mkdir()
    for name, body in FAKES.items():
        path = bin_dir / name
        path.write_text("#!/bin/bash\n" + body)
        path.chmod(0o755)
    browser = tmp_path / "chromium"
    if chromium:
        browser.write_text("#!/bin/sh\n")
        browser.chmod(0o755)
    if fonts:
        (state / "fonts").touch()
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env.update(PATH=f"{bin_dir}:{os.environ['PATH']}", PORTAL_CHROMIUM=str(browser), FAKE_UID=str(uid),
               FAKE_STATE=str(state), FAKE_APT_FAILS="1" if apt_fails else "")
    return env, state


def _calls(state: Path) -> list[str]:
    path = state / "calls"
    return path.read_text().splitlines() if path.exists() else []


def _apt_calls(state: Path) -> list[str]:
    return [c for c in _calls(state) if c.startswith("apt-get")]


def _test_sh(env, *pytest_args):
    return subprocess.run(["bash", "scripts/test.sh", *pytest_args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_not_root_without_chromium_prints_the_one_command_and_stops(tmp_path):
    env, state = _machine(tmp_path, uid=1000, fonts=True)
    run = _test_sh(env, "--version")
    assert run.returncode == 1
    assert "    sudo apt-get install -y chromium\n" in run.stderr
    assert "then run bash scripts/test.sh again" in run.stderr
    assert "pytest" not in run.stdout + run.stderr.replace("scripts/test.sh", "")  # pytest never started
    assert _apt_calls(state) == []


def test_not_root_names_every_missing_package(tmp_path):
    env, state = _machine(tmp_path, uid=1000)
    run = _test_sh(env, "--version")  # never the whole suite, even if the script were wrong
    assert run.returncode == 1
    assert "sudo apt-get install -y chromium fonts-noto-cjk" in run.stderr
    assert _apt_calls(state) == []


def test_root_installs_what_is_missing_then_runs_the_tests(tmp_path):
    env, state = _machine(tmp_path, uid=0)
    run = _test_sh(env, "--version")
    assert run.returncode == 0, run.stderr[-2000:]
    assert _apt_calls(state) == ["apt-get update -qq", "apt-get install -y -qq chromium fonts-noto-cjk"]
    assert "installing the system packages the browser tests need: chromium fonts-noto-cjk" in run.stderr
    assert run.stdout.startswith("pytest ")  # and then pytest ran (--version)


def test_root_installs_only_the_missing_package(tmp_path):
    env, state = _machine(tmp_path, uid=0, chromium=True)
    run = _test_sh(env, "--version")
    assert run.returncode == 0, run.stderr[-2000:]
    assert _apt_calls(state) == ["apt-get update -qq", "apt-get install -y -qq fonts-noto-cjk"]


def test_a_failed_install_stops_with_apts_own_words(tmp_path):
    env, state = _machine(tmp_path, uid=0, fonts=True, apt_fails=True)
    run = _test_sh(env, "--version")  # never the whole suite, even if the script were wrong
    assert run.returncode == 1
    assert "E: Unable to locate package chromium" in run.stderr
    assert "apt-get install chromium failed" in run.stderr
    assert run.stdout == ""  # pytest never started


def test_nothing_installed_when_everything_is_there(tmp_path):
    env, state = _machine(tmp_path, uid=0, chromium=True, fonts=True)
    run = _test_sh(env, "--version")
    assert run.returncode == 0, run.stderr[-2000:]
    assert _apt_calls(state) == []
    assert any(c.startswith("dpkg-query -W") and "fonts-noto-cjk" in c for c in _calls(state))


def test_ci_leaves_the_system_packages_to_the_test_command():
    """.ci/run keeps only what CI alone needs; the packages come from scripts/test.sh it calls."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert "apt-get" not in ci and "dpkg-query" not in ci
    assert ci.count("bash scripts/test.sh\n") == 2  # SQLite, then PostgreSQL
