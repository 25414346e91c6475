"""axe-core (npm) in the browser tests: installed once with npm into var/npm/, its axe.min.js injected
into the page, violations of impact serious or critical reported.

    found = serious_violations(page)   # [] when the page passes
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

from bot import system_packages
from bot.settings import ROOT

AXE_VERSION = "4.11.0"  # npm package axe-core, pinned
PREFIX = ROOT / "var" / "npm" / f"axe-core-{AXE_VERSION}"
SCRIPT = PREFIX / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
_lock = threading.Lock()


def axe_script() -> str:
    with _lock:
        if not SCRIPT.exists():
            if shutil.which("npm") is None:
                system_packages.ensure("npm")
            PREFIX.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    "npm",
                    "install",
                    "--no-save",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                    str(PREFIX),
                    f"axe-core@{AXE_VERSION}",
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
        return Path(SCRIPT).read_text(encoding="utf-8")


def serious_violations(page, context: str | None = None) -> list[dict]:
    """Run axe on the page as it is now (WCAG 2.x A/AA rules); the serious and critical findings."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_script())
    result = page.evaluate(
        """async (context) => {
          const options = {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}};
          const r = await window.axe.run(context || document, options);
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                          nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""",
        context,
    )
    return [v for v in result if v["impact"] in BLOCKING]
