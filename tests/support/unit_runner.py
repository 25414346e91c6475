"""Run the systemd units of deploy/systemd where systemd does not run (here, CI, a laptop).

    runner = Runner(paths={"/opt/haiyuan": ROOT, "/etc/haiyuan/haiyuan.env": env_file,
                           "/var/log/haiyuan": log_dir})
    runner.start("haiyuan-migrate", "haiyuan-backend", "haiyuan-actions@5055", "haiyuan-rasa@5005")
    runner.kill("haiyuan-rasa@5005")   # SIGKILL, like a crash: Restart=on-failure starts it again
    runner.stop_all()

    python -m tests.support.unit_runner --map /etc/haiyuan/haiyuan.env=my.env --map /var/log/haiyuan=var/logs haiyuan.target

It reads the same unit files systemd would, and only what they use: [Unit] Requires=, After=, Wants=
(targets); [Service] Type= (simple, oneshot), EnvironmentFile=, Environment=, WorkingDirectory=,
ExecStartPre=, ExecStart=, Restart= (no, on-failure, always), RestartSec=, TimeoutStopSec=,
StandardOutput=append:…; the specifiers %i %n %%; ${VAR} and $VAR in Exec lines. Like systemd it starts
each process with only the unit's environment (not the caller's), so a missing variable in the
EnvironmentFile shows up here too. User=/Group= are not applied (the test runs as whoever runs it).
`paths` maps the installed locations (/opt/haiyuan, /etc/haiyuan, /var/log/haiyuan) to local ones.
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNITS_DIR = ROOT / "deploy" / "systemd"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass
class Unit:
    name: str  # haiyuan-rasa@5005.service
    options: dict[str, dict[str, list[str]]]

    def values(self, section: str, key: str) -> list[str]:
        return self.options.get(section, {}).get(key, [])

    def get(self, section: str, key: str, default: str = "") -> str:
        found = self.values(section, key)
        return found[-1] if found else default

    def words(self, section: str, key: str) -> list[str]:
        return [word for value in self.values(section, key) for word in value.split()]

    @property
    def kind(self) -> str:
        return self.name.rsplit(".", 1)[1]


def full_name(name: str) -> str:
    return name if name.endswith((".service", ".target")) else f"{name}.service"


def parse_unit_text(text: str) -> dict[str, dict[str, list[str]]]:
    options: dict[str, dict[str, list[str]]] = {}
    section = None
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            options.setdefault(section, {})
            continue
        if section is None or "=" not in line:
            raise ValueError(f"not a unit file line: {raw!r}")
        key, value = (part.strip() for part in line.split("=", 1))
        options[section].setdefault(key, []).append(value)
    return options


def unit_file(name: str, units_dir: Path = UNITS_DIR) -> Path:
    """haiyuan-rasa@5005.service is read from the template haiyuan-rasa@.service."""
    stem, suffix = full_name(name).rsplit(".", 1)
    prefix, at, _ = stem.partition("@")
    return units_dir / (f"{prefix}@.{suffix}" if at else f"{stem}.{suffix}")


def load_unit(name: str, units_dir: Path = UNITS_DIR, paths: dict[str, str] | None = None) -> Unit:
    """Read a unit with its specifiers (%i, %n) and the mapped paths resolved."""
    name = full_name(name)
    instance = name.rsplit(".", 1)[0].partition("@")[2]
    text = unit_file(name, units_dir).read_text(encoding="utf-8")
    text = text.replace("%%", "\0").replace("%i", instance).replace("%n", name).replace("\0", "%")
    return Unit(name, parse_unit_text(map_paths(text, paths or {})))


def map_paths(text: str, paths: dict[str, str]) -> str:
    for installed in sorted(paths, key=len, reverse=True):  # the longest (most specific) first
        text = text.replace(installed, str(paths[installed]))
    return text


def read_environment_file(path: Path, paths: dict[str, str]) -> dict[str, str]:
    env = {}
    for line in map_paths(path.read_text(encoding="utf-8"), paths).splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def expand_command(line: str, env: dict[str, str]) -> list[str]:
    """systemd's rules: ${VAR} is replaced inside a word, a word that is exactly $VAR splits on spaces."""
    words: list[str] = []
    for word in shlex.split(line):
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            words += env.get(whole.group(1), "").split()
            continue
        words.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env.get(m.group(1), ""), word))
    return words


@dataclass
class Running:
    unit: Unit
    env: dict[str, str]
    log_path: Path | None
    process: subprocess.Popen | None = None
    starts: int = 0
    exits: list[int] = field(default_factory=list)
    stopping: bool = False
    monitor: threading.Thread | None = None


class Runner:
    def __init__(self, units_dir: Path = UNITS_DIR, paths: dict[str, str] | None = None):
        self.units_dir = units_dir
        self.paths = {k: str(v) for k, v in (paths or {}).items()}
        self.running: dict[str, Running] = {}
        self._lock = threading.Lock()

    # --- reading units --------------------------------------------------------------------------

    def unit(self, name: str) -> Unit:
        return load_unit(name, self.units_dir, self.paths)

    def environment(self, unit: Unit) -> dict[str, str]:
        user = pwd.getpwuid(os.getuid())
        env = {"PATH": DEFAULT_PATH, "LANG": "C.UTF-8", "HOME": user.pw_dir, "USER": user.pw_name}
        for entry in unit.values("Service", "EnvironmentFile"):
            optional = entry.startswith("-")
            path = Path(entry.lstrip("-"))
            if path.exists():
                env.update(read_environment_file(path, self.paths))
            elif not optional:
                raise FileNotFoundError(f"{unit.name}: EnvironmentFile {path} not found")
        for entry in unit.values("Service", "Environment"):
            for assignment in shlex.split(entry):
                key, _, value = assignment.partition("=")
                env[key] = value
        return env

    def resolve(self, names: list[str]) -> list[Unit]:
        """The units to start (targets expanded, Requires= pulled in), ordered by After=."""
        wanted: dict[str, Unit] = {}

        def add(name: str) -> None:
            name = full_name(name)
            if name in wanted:
                return
            unit = self.unit(name)
            wanted[name] = unit
            for dependency in unit.words("Unit", "Requires") + (
                unit.words("Unit", "Wants") if unit.kind == "target" else []
            ):
                if unit_file(dependency, self.units_dir).exists():  # not postgresql.service etc.
                    add(dependency)

        for name in names:
            add(name)
        ordered: list[Unit] = []
        visiting: set = set()

        def visit(unit: Unit) -> None:
            if unit in ordered:
                return
            if unit.name in visiting:
                raise ValueError(f"ordering cycle at {unit.name}")
            visiting.add(unit.name)
            for after in unit.words("Unit", "After"):
                if full_name(after) in wanted:
                    visit(wanted[full_name(after)])
            visiting.discard(unit.name)
            ordered.append(unit)

        for unit in wanted.values():
            visit(unit)
        return [u for u in ordered if u.kind == "service"]

    # --- running --------------------------------------------------------------------------------

    def start(self, *names: str) -> None:
        """Start units like `systemctl start`: oneshot units run to completion first, in order."""
        for unit in self.resolve(list(names)):
            if unit.name in self.running and self.running[unit.name].process is not None:
                continue
            env = self.environment(unit)
            output = unit.get("Service", "StandardOutput")
            log_path = Path(output.split(":", 1)[1]) if output.startswith(("append:", "file:")) else None
            job = Running(unit, env, log_path)
            for line in unit.values("Service", "ExecStartPre"):
                self._run_to_end(job, line)
            if unit.get("Service", "Type", "simple") == "oneshot":
                for line in unit.values("Service", "ExecStart"):
                    self._run_to_end(job, line)
                self.running[unit.name] = job
                continue
            self.running[unit.name] = job
            self._spawn(job)
            job.monitor = threading.Thread(target=self._supervise, args=(job,), name=f"run-{unit.name}", daemon=True)
            job.monitor.start()

    def _popen(self, job: Running, line: str) -> subprocess.Popen:
        command = expand_command(line.lstrip("-@+:!"), job.env)
        cwd = job.unit.get("Service", "WorkingDirectory") or None
        if job.log_path:
            job.log_path.parent.mkdir(parents=True, exist_ok=True)
            out = open(job.log_path, "ab")
        else:
            out = None  # like the journal: the runner's own output
        try:
            return subprocess.Popen(
                command,
                cwd=cwd,
                env=job.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            if out:
                out.close()

    def _run_to_end(self, job: Running, line: str) -> None:
        code = self._popen(job, line).wait()
        if code != 0 and not line.startswith("-"):
            tail = job.log_path.read_text(errors="replace")[-3000:] if job.log_path else ""
            raise RuntimeError(f"{job.unit.name}: {line!r} exited with {code}\n{tail}")

    def _spawn(self, job: Running) -> None:
        lines = job.unit.values("Service", "ExecStart")
        if len(lines) != 1:
            raise ValueError(f"{job.unit.name}: a simple service needs exactly one ExecStart")
        job.process = self._popen(job, lines[0])
        job.starts += 1

    def _supervise(self, job: Running) -> None:
        while True:
            process = job.process
            code = process.wait()
            with self._lock:
                if job.stopping:
                    return
                job.exits.append(code)
                policy = job.unit.get("Service", "Restart", "no")
                if not (policy == "always" or (policy == "on-failure" and code != 0)):
                    job.process = None
                    return
            time.sleep(float(job.unit.get("Service", "RestartSec", "0.1").rstrip("s")))
            with self._lock:
                if job.stopping:
                    return
                self._spawn(job)

    def pid(self, name: str) -> int | None:
        job = self.running.get(full_name(name))
        return job.process.pid if job and job.process and job.process.poll() is None else None

    def kill(self, name: str, signum: int = signal.SIGKILL) -> None:
        """Signal the unit's whole process group (systemd's KillMode=control-group), as a crash would."""
        job = self.running[full_name(name)]
        if job.process and job.process.poll() is None:
            os.killpg(job.process.pid, signum)

    def stop(self, name: str) -> None:
        job = self.running.pop(full_name(name), None)
        if job is None or job.process is None:
            return
        with self._lock:
            job.stopping = True
        process = job.process
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(float(job.unit.get("Service", "TimeoutStopSec", "90").rstrip("s")))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop_all(self) -> None:
        names = list(self.running)
        threads = [threading.Thread(target=self.stop, args=(n,)) for n in reversed(names)]
        for thread in threads:  # in parallel, like systemd stopping a target
            thread.start()
        for thread in threads:
            thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.unit_runner", description=__doc__.split("\n\n")[0])
    parser.add_argument("units", nargs="+", help="unit names, e.g. haiyuan.target or haiyuan-rasa@5005")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="INSTALLED=LOCAL",
        help="map an installed path to a local one (default: /opt/haiyuan=this checkout)",
    )
    parser.add_argument("--units-dir", type=Path, default=UNITS_DIR)
    args = parser.parse_args(argv)
    paths = {"/opt/haiyuan": str(ROOT)}
    for item in args.map:
        installed, _, local = item.partition("=")
        paths[installed] = str(Path(local).resolve())
    runner = Runner(args.units_dir, paths)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        runner.start(*args.units)
        print(f"[海原政务小助手] 已启动: {', '.join(runner.running)}（Ctrl-C 停止）", flush=True)
        while True:
            time.sleep(1)
    except (KeyboardInterrupt, SystemExit):
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stopping short
        runner.stop_all()


if __name__ == "__main__":
    sys.exit(main())
