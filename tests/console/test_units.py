"""Console logic without servers: unresolved-message rules, grouping, NLU/domain writing, knowledge forms, notices."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.console.services.knowledge_editor import (
    KnowledgeEditor,
    bundle_form_values,
    bundle_from_form,
    diff,
    service_form_values,
    service_from_form,
)
from bot.console.services.nlu_data import LabelError, NluData, annotate
from bot.console.services.notices_store import NoticeError, NoticeStore
from bot.console.services.tokens import GROUP_THRESHOLD, ProjectTokenizer, features, jaccard
from bot.console.services.tracker import Event, build_turns, fallback_threshold, unresolved_reason
from bot.console.services.training import model_from_log
from bot.knowledge.notices import active_notices, validate_notices
from bot.settings import ROOT


def _turn(intent: str, confidence: float, text: str = "随便说点啥", actions=(), custom=None, ranking=None):
    events = [
        Event(
            1,
            "s",
            "user",
            0.0,
            {
                "text": text,
                "parse_data": {
                    "intent": {"name": intent, "confidence": confidence},
                    "entities": [],
                    "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
                },
            },
        )
    ]
    for i, name in enumerate(actions):
        events.append(Event(2 + i, "s", "action", 0.0, {"name": name}))
    if custom:
        events.append(Event(50, "s", "bot", 0.0, {"text": "…", "data": {"custom": custom}}))
    return build_turns(events)[1]


def test_unresolved_reasons() -> None:
    assert unresolved_reason(_turn("nlu_fallback", 0.5), 0.5) == "nlu_fallback"
    assert unresolved_reason(_turn("ask_fee", 0.42), 0.5) == "low_confidence"
    assert (
        unresolved_reason(
            _turn("ask_fee", 0.9, actions=["action_answer_service"], custom={"type": "fallback", "step": 1}), 0.5
        )
        == "unresolved_service"
    )
    assert unresolved_reason(_turn("greet", 0.9, actions=["action_fallback_ladder"]), 0.5) == "fallback_action"
    assert (
        unresolved_reason(
            _turn(
                "ask_fee",
                0.9,
                actions=["action_answer_service"],
                custom={"type": "service_answer", "service": "id_card"},
            ),
            0.5,
        )
        is None
    )
    assert unresolved_reason(_turn("answer_unhelpful", 0.99), 0.5) is None  # decided on the message before
    assert unresolved_reason(_turn("nlu_fallback", 0.5, text="/help"), 0.5) is None  # a button, not typed text
    turn = _turn(
        "nlu_fallback",
        0.5,
        ranking=[{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_place", "confidence": 0.31}],
    )
    assert turn.top_real_intent == ("ask_place", 0.31)
    assert _turn("ask_fee", 0.9, custom={"type": "service_answer", "service": "id_card"}).service == "id_card"


def test_threshold_comes_from_config() -> None:
    configured = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    expected = next(c["threshold"] for c in configured["pipeline"] if c["name"] == "FallbackClassifier")
    assert fallback_threshold(ROOT / "config.yml") == expected
    assert fallback_threshold(ROOT / "no-such-config.yml") == 0.3


def test_grouping_similarity() -> None:
    tokenizer = ProjectTokenizer(ROOT)
    feats = lambda t: features(t, tokenizer.tokens(t))  # noqa: E731
    assert jaccard(feats("身份证丢了咋办"), feats("身份证丢了怎么办")) >= GROUP_THRESHOLD
    assert jaccard(feats("身份证丢了咋办"), feats("低保怎么申请")) < GROUP_THRESHOLD
    # The project's jieba dictionary keeps service names whole.
    assert [t.text for t in tokenizer.tokens("社保卡丢了要带啥")][0] == "社保卡丢了"


def test_annotation_escapes_brackets() -> None:
    assert annotate("社保卡(新)丢了", [(0, 3, "service")]) == "[社保卡](service)（新）丢了"
    with pytest.raises(LabelError):
        annotate("社保卡", [(0, 2, "service"), (1, 3, "service")])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("config.yml", "domain.yml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


def test_labelled_examples_and_new_intents(project: Path) -> None:
    nlu = NluData(project)
    before = (project / "domain.yml").read_text(encoding="utf-8")
    nlu.check_intent("ask_fee", new=False)
    with pytest.raises(LabelError):
        nlu.check_intent("ask_fee", new=True)
    with pytest.raises(LabelError):
        nlu.check_intent("Ask Parking", new=True)
    with pytest.raises(LabelError):
        nlu.check_intent("nlu_fallback", new=False)
    assert nlu.add_examples("ask_fee", ["办身份证多少钱", "[社保卡](service)补办收费吗"]) == [
        "办身份证多少钱",
        "[社保卡](service)补办收费吗",
    ]
    assert nlu.add_examples("ask_fee", ["办身份证多少钱"]) == []  # no duplicates
    nlu.add_intent_to_domain("ask_parking")
    nlu.add_intent_to_domain("ask_parking")  # once only
    nlu.add_examples("ask_parking", ["政务大厅能停车吗"])
    after = (project / "domain.yml").read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["  - ask_parking"] and len(after.splitlines()) == len(before.splitlines()) + 1
    data = yaml.safe_load(nlu.labelled_path.read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    assert {e["intent"]: e["examples"] for e in data["nlu"]} == {
        "ask_fee": "- 办身份证多少钱\n- [社保卡](service)补办收费吗\n",
        "ask_parking": "- 政务大厅能停车吗\n",
    }
    assert "ask_parking" in nlu.intents()
    assert nlu.existing_examples()["答非所问"] == "answer_unhelpful"  # used to refuse contradictory labels
    assert nlu.existing_examples()["社保卡补办收费吗"] == "ask_fee"  # annotations stripped
    assert nlu.labelled_path.read_text(encoding="utf-8").startswith("# 工作人员")


def _as_form(values: dict) -> dict:
    form = {}
    for key, value in values.items():
        if isinstance(value, list):
            for i, row in enumerate(value):
                form.update({f"{key}-{i}-{column}": cell for column, cell in row.items()})
        else:
            form[key] = value
    return form


def test_every_knowledge_form_round_trips_unchanged() -> None:
    editor = KnowledgeEditor(ROOT / "knowledge")
    for kind, folder, values, build in (
        ("service", "services", service_form_values, service_from_form),
        ("bundle", "bundles", bundle_form_values, bundle_from_form),
    ):
        for path in sorted((ROOT / "knowledge" / folder).glob("*.yml")):
            data, _version = editor.load(kind, path.stem)
            assert diff(data, build(data, _as_form(values(data)))) == {}, path.name


def test_a_saved_edit_keeps_comments_and_order(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    path = root / "services" / "id_card.yml"
    path.write_text("# 有注释\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    editor = KnowledgeEditor(root)
    data, version = editor.load("service", "id_card")
    form = _as_form(service_form_values(data))
    form["fee"] = "工本费20元"
    form["materials-9-name"], form["materials-9-form"] = "户口本复印件", "复印件"
    before = path.read_text(encoding="utf-8")
    result = editor.save("service", "id_card", form, version)
    expected = {
        "fee",
        f"materials[{len(data['materials'])}].name",
        f"materials[{len(data['materials'])}].form",
        "facts.materials.户口本复印件",  # a new fact starts as 待核实
    }
    assert result.saved and expected <= set(result.changes)
    assert all(p.startswith("facts.fee") for p in set(result.changes) - expected)  # the changed fee loses its source
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["facts"]["fee"] == "待核实"
    after = path.read_text(encoding="utf-8")
    assert after.startswith("# 有注释\n") and "fee: 工本费20元\n" in after
    assert len(after.splitlines()) == len(before.splitlines()) + 3


def test_notices_schema_and_activity(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    (root / "services").mkdir(parents=True)
    (root / "services" / "id_card.yml").write_text("id: id_card\n", encoding="utf-8")
    store = NoticeStore(root)
    today = date(2026, 12, 1)
    general = store.publish("系统维护", "周六晚上系统维护。", date(2026, 12, 1), date(2026, 12, 5), [], today)
    holiday = store.publish("元旦窗口时间", "1月1日休息。", date(2026, 12, 30), date(2027, 1, 3), ["id_card"], today)
    with pytest.raises(NoticeError):
        store.publish("x", "y", date(2026, 12, 5), date(2026, 12, 1), [], today)
    with pytest.raises(NoticeError):
        store.publish("x", "y", date(2026, 12, 1), date(2026, 12, 2), ["no_such_service"], today)
    assert [n["id"] for n in active_notices(root, date(2026, 12, 3))] == [general["id"]]
    assert [n["id"] for n in active_notices(root, date(2027, 1, 1))] == [holiday["id"]]
    assert active_notices(root, date(2027, 1, 1), service_id="id_card")[0]["title"] == "元旦窗口时间"
    assert active_notices(root, date(2026, 12, 3), service_id="id_card") == []
    assert active_notices(root, date(2027, 2, 1)) == []
    store.withdraw(general["id"])
    assert active_notices(root, date(2026, 12, 3)) == []
    problems = validate_notices(
        {"notices": [{"id": "A B", "title": "", "text": "x", "start": "2026-13-01", "end": "2026-12-01", "extra": 1}]}
    )
    assert len(problems) == 4 and all(p.startswith("notices.yml: notices[0].") for p in problems)
    assert validate_notices(yaml.safe_load((ROOT / "knowledge" / "notices.yml").read_text(encoding="utf-8"))) == []


def test_the_model_named_by_the_training_output(tmp_path: Path) -> None:
    (tmp_path / "haiyuan-abc123.tar.gz").write_bytes(b"x")
    log = "[海原政务小助手] 训练模型 haiyuan-abc123.tar.gz …\n[海原政务小助手] 训练完成，用时 300 秒。\n"
    assert model_from_log(log, tmp_path) == tmp_path / "haiyuan-abc123.tar.gz"
    assert model_from_log("没有模型", tmp_path) is None


def test_sync_reads_the_tracker_store_incrementally(tmp_path: Path) -> None:
    import json
    import sqlite3

    from sqlalchemy import select

    from bot.console import migrate
    from bot.console.config import ConsoleSettings
    from bot.console.models import Message
    from bot.console.services.inbox import Inbox
    from bot.core.database import Database

    tracker = tmp_path / "tracker.db"
    connection = sqlite3.connect(tracker)
    connection.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, "
        "intent_name TEXT, action_name TEXT, data TEXT)"
    )

    def add(event_id: int, sender: str, kind: str, **data) -> None:
        data = {"event": kind, "timestamp": 1764547200.0 + event_id, **data}
        connection.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
            (event_id, sender, kind, data["timestamp"], None, data.get("name"), json.dumps(data)),
        )
        connection.commit()

    def user(event_id: int, sender: str, text: str, intent: str, confidence: float = 0.9) -> None:
        add(
            event_id,
            sender,
            "user",
            text=text,
            parse_data={"intent": {"name": intent, "confidence": confidence}, "entities": []},
        )

    user(1, "a", "电话13812345678咋弄停车", "nlu_fallback", 0.5)
    add(2, "a", "action", name="action_fallback_ladder")
    user(3, "a", "身份证补办要多少钱", "ask_fee")
    add(4, "a", "action", name="action_answer_service")
    add(5, "a", "bot", text="20元", data={"custom": {"type": "service_answer", "service": "id_card"}})
    user(6, "a", "/answer_unhelpful", "answer_unhelpful", 1.0)
    user(7, "b", "电话13900001111咋弄停车嘛", "nlu_fallback", 0.5)
    project = tmp_path / "project"
    (project / "data" / "jieba").mkdir(parents=True)
    shutil.copy2(ROOT / "config.yml", project / "config.yml")
    settings = ConsoleSettings.from_env()
    settings = type(settings)(**{**settings.__dict__, "tracker_db_url": f"sqlite:///{tracker}", "project_dir": project})
    db = Database(f"sqlite:///{tmp_path / 'console.db'}")
    migrate.upgrade(db.url, engine=db.engine)
    from bot.console.services.nlu_data import NluData
    from bot.console.services.tokens import ProjectTokenizer
    from bot.console.services.tracker import TrackerReader

    inbox = Inbox(db, settings, ProjectTokenizer(project), TrackerReader(settings.tracker_db_url), NluData(project))

    assert inbox.sync() == 4 and inbox.sync() == 0
    user(8, "b", "你好", "greet")
    user(2000, "c", "随便", "greet")
    assert inbox.sync() == 2
    connection.execute("DELETE FROM events WHERE id = 2000")  # make room for a "late commit" below the cursor
    user(1990, "c", "late", "greet")
    assert inbox.sync() == 1  # re-read behind the cursor
    with db.session() as session:
        rows = {m.event_id: m for m in session.execute(select(Message)).scalars()}
    assert rows[1].reason == "nlu_fallback" and "13812345678" not in rows[1].text and "138****5678" in rows[1].text
    assert rows[3].reason == "unhelpful" and rows[3].service == "id_card"
    assert rows[6].reason is None and rows[8].reason is None
    assert rows[1].group_id == rows[7].group_id != rows[3].group_id
    db.dispose()
    connection.close()


def test_console_models_match_their_migrations(tmp_path: Path) -> None:
    """A model change without a migration fails here: run `python -m bot.console.migrate revision -m ...`."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.console import migrate
    from bot.console.models import ConsoleBase
    from bot.core.database import make_engine
    from bot.tickets import migrate as ticket_migrate

    url = f"sqlite:///{tmp_path / 'both.db'}"
    engine = make_engine(url)
    ticket_migrate.upgrade(url, engine=engine)  # the two histories live side by side
    migrate.upgrade(url, engine=engine)
    with engine.connect() as connection:
        versions = {
            table: connection.exec_driver_sql(f"SELECT version_num FROM {table}").scalar_one()
            for table in ("alembic_version", "alembic_version_console")
        }
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, kind, *_: kind != "table" or name.startswith("console_"),
            },
        )
        assert compare_metadata(context, ConsoleBase.metadata) == []
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()
    assert versions["alembic_version_console"] == head != versions["alembic_version"]
    migrate.downgrade(url, "base", engine=engine)
    with engine.connect() as connection:
        tables = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
    engine.dispose()
    assert not any(t.startswith("console_") for t in tables) and "tickets" in tables
