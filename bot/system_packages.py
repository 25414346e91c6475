"""Debian packages that some tests need (a real browser, PostgreSQL, Redis, nginx).

    ensure("chromium", "fonts-noto-cjk")   # installs what is missing, once; returns the missing list

Only the test set-up calls this: the assistant itself runs on embedded defaults and needs none of them.
Installing needs root and Debian's apt (true on the project's machines and in CI); elsewhere it
explains what to install by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading

_lock = threading.Lock()
_updated = False


def installed(package: str) -> bool:
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return result.returncode == 0 and "install ok installed" in result.stdout


def missing(*packages: str) -> list[str]:
    if shutil.which("dpkg-query") is None:
        return list(packages)
    return [p for p in packages if not installed(p)]


def ensure(*packages: str) -> list[str]:
    """Install the packages that are not installed yet; raise RuntimeError if that is impossible."""
    global _updated
    with _lock:
        todo = missing(*packages)
        if not todo:
            return []
        if shutil.which("apt-get") is None or os.geteuid() != 0:
            raise RuntimeError(f"请先安装这些 Debian 软件包: {' '.join(todo)}（需要 root 和 apt-get）")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        print(f"[海原政务小助手] 安装测试所需软件包: {' '.join(todo)} …", flush=True)
        if not _updated:
            subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
            _updated = True
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *todo],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        return todo
