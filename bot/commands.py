"""Commands run inside the venv (see bot/__main__.py for the list)."""

from __future__ import annotations

import signal
import subprocess
import sys

from bot.settings import ROOT, Settings
from bot.training import prepare_model

UNKNOWN_COMMAND = 2


def generate(check: bool = False) -> int:
    from bot.knowledge import generate as generator

    return generator.main(["--check"] if check else [])


def check_knowledge(args: list[str]) -> int:
    from bot.knowledge import check

    return check.main(args)


def run() -> int:
    from bot.launcher import Assistant

    model = prepare_model()
    assistant = Assistant(Settings(), model)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Ctrl-C stops everything even when started from a script that ignores SIGINT (background jobs do).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assistant.start()  # Ctrl-C while the servers start up also stops the ones already running
        _print_where(assistant.settings)
        assistant.supervise()  # restarts a service that dies, until Ctrl-C / SIGTERM
        return 0
    except (RuntimeError, TimeoutError) as error:
        print(f"[海原政务小助手] {error}", flush=True)
        return 1
    except (KeyboardInterrupt, SystemExit):
        print("\n[海原政务小助手] 正在停止 …", flush=True)
        return 0
    finally:
        assistant.stop()
        print("[海原政务小助手] 已停止。", flush=True)


def _print_where(s: Settings) -> None:
    print(
        "\n[海原政务小助手] 已启动，可以对话了:\n"
        f"  REST:      curl -s {s.rasa_url}/webhooks/rest/webhook -H 'Content-Type: application/json' "
        '-d \'{"sender": "demo", "message": "你好"}\'\n'
        f"  socket.io: {s.rasa_url}/socket.io\n"
        f"  网页对话:  {s.backend_url}/chat\n"
        f"  工单后台:  {s.backend_url}/docs\n"
        f"  工作人员控制台: {s.backend_url}/console/（首次使用先运行 python3 -m bot create-admin 创建管理员）\n"
        "  按 Ctrl-C 停止全部服务。\n",
        flush=True,
    )


def test(pytest_args: list[str]) -> int:
    if "--fast" in pytest_args:
        # The inner ring: in-process tests only (no servers, no browser, no model), see tests/support/markers.py.
        from tests.support.markers import FAST_SELECTION

        # on every core (pytest-xdist): 722 tests took 120 s on one of the two cores here
        pytest_args = [a for a in pytest_args if a != "--fast"] + ["-m", FAST_SELECTION, "-n", "auto"]
    else:
        prepare_model(regenerate=False)
    # pytest exits 5 when it collected no tests: that is a failure here, never a pass.
    return subprocess.call([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT)


def lint() -> int:
    """The checks CI runs before the suite: ruff lint, ruff format, mypy (settings in pyproject.toml)."""
    checks = [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]]
    failed = [c for c in checks if subprocess.call([sys.executable, "-m", *c], cwd=ROOT) != 0]
    for command in failed:
        print(f"[海原政务小助手] 未通过: {' '.join(command)}", flush=True)
    return 1 if failed else 0


def dispatch(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    if command == "run":
        return run()
    if command == "test":
        return test(args)
    if command == "train":
        prepare_model(force="--force" in args)
        return 0
    if command == "generate":
        return generate(check="--check" in args)
    if command == "check-knowledge":
        return check_knowledge(args)
    if command == "create-admin":
        from bot.console import create_admin

        return create_admin.main(args)
    if command == "triage-export":
        from bot.tickets import export_examples

        return export_examples.main(args)
    if command == "lint":
        return lint()
    if command == "lock":
        from bot import bootstrap

        return bootstrap.lock()
    if command == "bench":
        from bench.run import main as bench

        return bench(args)
    return UNKNOWN_COMMAND
