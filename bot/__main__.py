"""`python3 -m bot <command>`: the one entry point for people and CI.

  run               install if needed, train if needed, start the whole assistant
  test [ARGS]       install if needed, train if needed, run the test suite (pytest ARGS)
  test --fast       the inner ring only: in-process tests, no servers, browser or model (under 2 minutes)
  train [--force]   train a model for the current data unless one exists
  generate [--check] regenerate NLU lookups/synonyms and the jieba dictionary from knowledge/
  check-knowledge   validate every file in knowledge/
  create-admin      create a staff console administrator (asks for user name and password)
  triage-export [--out PATH]  the dispatchers' labelled routing examples (JSONL) for the triage's training
  bench [--quick]   benchmarks against plain Rasa, results in bench/results/ (see bench/README.md)
  lint              ruff (lint + format check) and mypy, as CI runs them
  lock              regenerate requirements/lock/ (hashed) from the requirements/*.txt inputs

Runs with any Python 3.11 first, then re-executes itself inside .venv.
"""

from __future__ import annotations

import sys

from bot import bootstrap

USAGE = __doc__


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    if not bootstrap.in_venv():
        bootstrap.ensure_venv(dev=argv[0] in bootstrap.DEV_COMMANDS)
        bootstrap.reexec_in_venv(argv)  # does not return
    from bot import commands  # third-party imports are safe from here on

    code = commands.dispatch(argv)
    if code == commands.UNKNOWN_COMMAND:
        print(f"未知命令: {argv[0]}\n\n{USAGE}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
