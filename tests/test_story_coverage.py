"""Every rule and story in data/ is walked by at least one conversation in tests/test_stories.yml."""

from __future__ import annotations

import yaml

from bot.settings import ROOT


def _steps(step_list: list) -> list[tuple[str, str]]:
    """The (kind, name) sequence of intents and actions; slots, loops and checkpoints are ignored."""
    out = []
    for step in step_list:
        if "intent" in step:
            out.append(("intent", step["intent"]))
        elif "action" in step:
            out.append(("action", step["action"]))
        elif "or" in step:
            out.append(("intent", step["or"][0]["intent"]))
    return out


def _contains(haystack: list, needle: list) -> bool:
    return any(haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


def _training_flows() -> dict[str, list]:
    flows = {}
    for path in sorted((ROOT / "data").rglob("*.yml")):
        content = yaml.safe_load(path.read_text()) or {}
        for key in ("rules", "stories"):
            for flow in content.get(key) or []:
                name = flow.get("rule") or flow.get("story")
                flows[f"{path.name}: {name}"] = _steps(flow["steps"])
    return flows


def test_every_rule_and_story_is_tested() -> None:
    tested = [_steps(s["steps"]) for s in yaml.safe_load((ROOT / "tests/test_stories.yml").read_text())["stories"]]
    missing = [
        name for name, flow in _training_flows().items() if flow and not any(_contains(story, flow) for story in tested)
    ]
    assert not missing, "not covered by tests/test_stories.yml:\n" + "\n".join(missing)
