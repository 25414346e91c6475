"""Throwaway PostgreSQL, Redis and nginx from Debian's packages, on loopback ports under a temp dir.

    with Postgres() as pg:                      # initdb + pg_ctl as the `postgres` user
        url = pg.create_database("tickets")     # role `tickets` with a password, database `tickets`
    with Redis(password="…") as redis: redis.port
    with Nginx(site_conf_text) as nginx: nginx.port

Used by tests/scale and bench/ only; production uses the distribution's own services (docs/deployment.md).
Everything listens on 127.0.0.1 and is removed again by stop().
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{what} not listening on 127.0.0.1:{port} after {timeout}s")


class _Server:
    if TYPE_CHECKING:  # each server defines them

        def start(self) -> Any: ...
        def stop(self) -> None: ...

    def __enter__(self):
        return self.start()

    def __exit__(self, *_):
        self.stop()


class Postgres(_Server):
    """A private PostgreSQL cluster. As root, the server runs as the `postgres` user (it refuses root)."""

    def __init__(self, port: int | None = None, durable: bool = True):
        self.port = port or free_port()
        self.durable = durable  # False: fsync off (faster tests; never for production)
        self.superuser_password = secrets.token_urlsafe(12)
        self.base: Path | None = None

    @staticmethod
    def bin(name: str) -> str:
        found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
        if found:
            return found[-1]
        path = shutil.which(name)
        if not path:
            raise RuntimeError(f"PostgreSQL 的 {name} 没找到：请安装 Debian 软件包 postgresql")
        return path

    def _as_owner(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    @property
    def data_dir(self) -> Path:
        assert self.base is not None, "start() sets the base directory"
        return self.base / "data"

    def start(self) -> Postgres:
        # Not under pytest's tmp dirs: those are 0700 root, and the server runs as `postgres`.
        self.base = Path(tempfile.mkdtemp(prefix="haiyuan-pg-"))
        pwfile = self.base / "pw"
        pwfile.write_text(self.superuser_password + "\n")
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.base, pwfile):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        subprocess.run(
            self._as_owner(
                [
                    self.bin("initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    f"--pwfile={pwfile}",
                    "--auth-local=peer" if os.geteuid() == 0 else "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        pwfile.unlink()
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.base}"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            self._as_owner(
                [
                    self.bin("pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.base / "postgres.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        return self

    def url(self, database: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        password = self.superuser_password if password is None else password
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        import psycopg2

        connection = psycopg2.connect(self.url(database))
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def create_database(self, name: str, owner: str | None = None) -> str:
        """A role (login, random password) owning a new database; returns its URL."""
        owner = owner or name
        password = secrets.token_urlsafe(12)
        self.execute(f"CREATE ROLE {owner} LOGIN PASSWORD '{password}'")
        self.execute(f"CREATE DATABASE {name} OWNER {owner}")
        return self.url(name, owner, password)

    def stop(self) -> None:
        if self.base is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            subprocess.run(
                self._as_owner([self.bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None


class Redis(_Server):
    def __init__(self, port: int | None = None, password: str | None = None):
        self.port = port or free_port()
        self.password = password
        self.process: subprocess.Popen | None = None
        self.base: Path | None = None

    def start(self) -> Redis:
        self.base = Path(tempfile.mkdtemp(prefix="haiyuan-redis-"))
        command = [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.base),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            str(self.base / "redis.log"),
        ]
        if self.password:
            command += ["--requirepass", self.password]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, 20, self.process, "redis-server")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None


def retarget_nginx_site(conf: str, ports: dict[int, int], log_dir: Path) -> str:
    """The production site file with every loopback port mapped (`ports`: old → new) and logs moved.

    A `listen` or `server` port that is not in `ports` is an error, so a port added to the site file
    cannot silently keep pointing at a production port in the test.
    """

    def port(match: re.Match) -> str:
        old = int(match.group(3))
        if old not in ports:
            raise KeyError(f"nginx site uses port {old}, which the test does not map")
        return f"{match.group(1)} 127.0.0.1:{ports[old]}"

    conf = re.sub(r"\b(server|listen) (127\.0\.0\.1:)?(\d+)\b", port, conf)
    return re.sub(r"access_log /var/log/nginx/(\S+) ", lambda m: f"access_log {log_dir / m.group(1)} ", conf)


class Nginx(_Server):
    """nginx in the foreground with a main config of its own around one site file (an http{} fragment)."""

    def __init__(self, site_conf: str, ports: dict[int, int]):
        self.site_conf = site_conf
        self.ports = ports
        self.port = ports[80]  # the public port
        self.process: subprocess.Popen | None = None
        self.base: Path | None = None

    def access_log(self, name: str = "haiyuan.access.log") -> str:
        path = self.base / name if self.base else None
        return path.read_text(errors="replace") if path and path.exists() else ""

    def start(self) -> Nginx:
        self.base = Path(tempfile.mkdtemp(prefix="haiyuan-nginx-"))
        os.chmod(self.base, 0o755)
        (self.base / "haiyuan.conf").write_text(retarget_nginx_site(self.site_conf, self.ports, self.base))
        user = "user root;" if os.geteuid() == 0 else ""  # workers read/write only this temp dir
        (self.base / "nginx.conf").write_text(f"""{user}
worker_processes 1;
pid {self.base}/nginx.pid;
error_log {self.base}/error.log info;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {self.base}/client_body;
    proxy_temp_path {self.base}/proxy;
    fastcgi_temp_path {self.base}/fastcgi;
    uwsgi_temp_path {self.base}/uwsgi;
    scgi_temp_path {self.base}/scgi;
    include {self.base}/haiyuan.conf;
}}
""")
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        check = subprocess.run(
            [binary, "-t", "-p", str(self.base), "-c", str(self.base / "nginx.conf")], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        self.process = subprocess.Popen(
            [binary, "-p", str(self.base), "-c", str(self.base / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(self.base / "stderr.log", "wb"),
            start_new_session=True,
        )
        wait_for_port(self.port, 20, self.process, "nginx")
        return self

    def error_log(self) -> str:
        return (self.base / "error.log").read_text(errors="replace") if self.base else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # graceful: master and its workers
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None
