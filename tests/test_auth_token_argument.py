"""A Rasa auth token that begins with "-" (secrets.token_urlsafe makes one in 1 of 32 draws) must still
reach `rasa run` as the token, not be read as another option: both the launcher and the systemd unit
pass it as `--auth-token=<token>`."""

from pathlib import Path

from rasa.__main__ import create_argument_parser

from bot.launcher import Assistant
from bot.settings import Settings
from tests.support.unit_runner import expand_command, load_unit

TOKEN = "-xLY_SDWNYJakKfiPfsmEHgcXNiEIJTU"


def rasa_run_arguments(command: list[str]):
    start = command.index("run")  # python -m bot.rasa_server run … → rasa's own parser
    return create_argument_parser().parse_args(command[start:])


def test_launcher_passes_a_dash_token_as_the_token(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RASA_AUTH_TOKEN", TOKEN)
    assistant = Assistant(Settings(var_dir=tmp_path), tmp_path / "model.tar.gz")
    rasa = next(service for service in assistant.services if "bot.rasa_server" in service.command)
    assert rasa_run_arguments(rasa.command).auth_token == TOKEN
    assert rasa.health_url.endswith(f"?token={TOKEN}")


def test_systemd_unit_passes_a_dash_token_as_the_token() -> None:
    unit = load_unit("haiyuan-rasa@5005.service")
    env = {"RASA_AUTH_TOKEN": TOKEN, "RASA_MODEL": "models/m.tar.gz", "HAIYUAN_HOST": "127.0.0.1", "CORS_ORIGINS": "*"}
    (line,) = unit.values("Service", "ExecStart")
    assert rasa_run_arguments(expand_command(line.replace("%i", "5005"), env)).auth_token == TOKEN
