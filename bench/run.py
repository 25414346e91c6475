"""`python3 -m bot bench [--quick] [--only nlu,latency,backend,training]`: see bench/README.md.

Order: the plain Rasa bot (cached), then the servers start together with `rasa test nlu`; the load
runs only once all of them are idle; then the ticket backend on SQLite and PostgreSQL; the project's
full and incremental training last (full mode only). Results: bench/results/latest.{md,json}.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench import backend_load, conversations, nlu_eval, report, servers, training
from bench.loadgen import LoadResult, run_load, warm_up
from bench.profile import Profiler, summary
from bench.profile import available as profile_tool_available
from bench.progress import Progress
from bot.launcher import Assistant
from bot.settings import ROOT

RESULTS = ROOT / "bench" / "results"
SECTIONS = ("nlu", "latency", "backend", "training")
LEVELS = (1, 10, 50)
# Seconds of load per concurrency level, and per backend run.
FULL = {"load": 60.0, "backend": 20.0}
QUICK = {"load": 6.0, "backend": 3.0}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 -m bot bench", description="海原政务小助手 与原版 Rasa 的对比基准测试"
    )
    parser.add_argument("--quick", action="store_true", help="短跑（< 3 分钟）：短负载，不测训练")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"只跑这些部分，逗号分隔: {','.join(SECTIONS)}")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="用 py-spy 采样：10 并发对话时的 Rasa/动作服务/后台，20 客户端时的工单后台",
    )
    parser.add_argument(
        "--stores",
        choices=["embedded", "production"],
        default="embedded",
        help="对话延迟用的存储: embedded = python3 -m bot run 的 SQLite（默认）; "
        "production = PostgreSQL + Redis + deploy/endpoints.production.yml",
    )
    parser.add_argument("--seconds", type=float, help="每个并发档的负载秒数（覆盖默认值）")
    parser.add_argument("--out", type=Path, default=RESULTS, help="结果目录（默认 bench/results/）")
    parser.add_argument(
        "--triage", action="store_true", help="只测智能分流：留出集 bench/triage/heldout/ 上的各项指标（不启动服务）"
    )
    parser.add_argument(
        "--growth",
        action="store_true",
        help="只测数据增长：1,000 与 100,000 张工单时控制台页面和办件查询的 p95（临时目录，不启动服务）",
    )
    parser.add_argument(
        "--turns",
        action="store_true",
        help="只测每轮成本：同一对话第 1/5/50/100 轮的 Rasa 与动作服务 CPU（启动服务，约 5 分钟）",
    )
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"未知部分: {', '.join(sorted(unknown))}")
    return args


def model_under_test() -> Path:
    """HAIYUAN_MODEL (a fixed copy, while developing) or the model of the current data, trained if needed."""
    override = os.environ.get("HAIYUAN_MODEL")
    if override:
        return Path(override).resolve()
    from bot.training import prepare_model

    return prepare_model()


def commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return (result.stdout.strip() or "?") + ("+本地修改" if dirty else "")


def main(argv: list[str]) -> int:
    if "--soak" in argv:  # the reliability soak: bench/soak/
        from bench.soak.run import main as soak

        return soak([a for a in argv if a != "--soak"])
    args = parse(argv)
    if args.triage:
        from bench.triage import report as triage_report

        return triage_report.main(args.out, model_path=model_under_test())  # the dialogue's safety decision too
    if args.growth:
        from bench import growth

        return growth.main(args.out)
    if args.turns:
        from bench import turn_cost

        return turn_cost.main(args.out)
    durations = dict(QUICK if args.quick else FULL)
    if args.seconds:
        durations["load"] = args.seconds
    sections = args.sections
    run_training = "training" in sections and not args.quick
    # The backend section needs no model (no training just to measure ticket creates).
    model = model_under_test() if set(sections) - {"backend"} else None
    results: dict = {
        "meta": {
            "started": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            "mode": "quick" if args.quick else "full",
            "rasa_version": servers.rasa_version(),
            "cpus": servers.cpu_count(),
            "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "commit": commit(),
            "model": model.name if model else "—",
            "durations_seconds": durations,
            "stores": args.stores,
        },
        "notes": [],
    }
    latency = "latency" in sections
    steps = (
        (1 if latency else 0)
        + (1 if latency or "nlu" in sections else 0)
        + (2 * len(LEVELS) + 2 if latency else 0)
        + (2 if "backend" in sections else 0)
        + (1 if run_training else 0)
    )
    progress = Progress(max(steps, 1))
    work = Path(tempfile.mkdtemp(prefix="haiyuan-bench-"))
    log_dir, profiles = args.out / "logs", args.out / "profiles"
    if args.profile and not profile_tool_available():
        raise SystemExit("--profile 需要 py-spy（已固定在 requirements/app.txt，python3 -m bot run 会安装）")
    shutil.rmtree(log_dir, ignore_errors=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    haiyuan: Assistant | None = None
    vanilla: servers.VanillaRasa | None = None
    stores: servers.ProductionStores | None = None
    nlu_process: subprocess.Popen | None = None
    try:
        if latency:
            progress.step("准备原版 Rasa 对比机器人（rasa init，按 Rasa 版本缓存）")
            project, results["vanilla_bot"] = servers.vanilla_project(
                lambda seconds: progress.update(f"首次运行：rasa init 并训练 … {seconds:.0f} 秒")
            )

        if latency or "nlu" in sections:
            progress.step(
                "启动服务" * latency
                + (" + " if latency and "nlu" in sections else "")
                + "rasa test nlu" * ("nlu" in sections)
            )
            started = time.monotonic()
            assert model is not None  # these sections need it
            if "nlu" in sections:
                nlu_out = args.out / "nlu"
                shutil.rmtree(nlu_out, ignore_errors=True)
                nlu_process = nlu_eval.start(model, nlu_out, log_dir / "rasa-test-nlu.log")
            if latency:
                stores = servers.ProductionStores() if args.stores == "production" else None
                haiyuan = servers.start_haiyuan(model, work, log_dir, stores)
                vanilla = servers.start_vanilla(project, log_dir)
                haiyuan_services = haiyuan.services
                pending = {"海原": lambda: all(s.healthy() for s in haiyuan_services), "原版": vanilla.healthy}
                while pending:
                    for name, ready in list(pending.items()):
                        if ready():
                            del pending[name]
                    dead = [s for s in [*haiyuan.services, vanilla] if s.started.poll() is not None]
                    if dead:
                        raise RuntimeError(f"{dead[0].name} 启动失败，见 {dead[0].log_path}")
                    if time.monotonic() - started > 900:
                        raise TimeoutError(f"等待超时: {list(pending)}")
                    progress.update(f"等待 {'、'.join(pending) or 'NLU 评测'} … {time.monotonic() - started:.0f} 秒")
                    time.sleep(1)
                results["startup_seconds"] = round(time.monotonic() - started, 1)
            if nlu_process:
                while nlu_process.poll() is None:
                    progress.update(f"等待 rasa test nlu … {time.monotonic() - started:.0f} 秒")
                    time.sleep(1)
                results["nlu"] = nlu_eval.collect(nlu_process, nlu_out, started, log_dir / "rasa-test-nlu.log")

        if latency:
            assert haiyuan is not None and vanilla is not None  # started above
            results["latency"] = {"haiyuan": [], "vanilla": []}
            targets = [
                ("haiyuan", "海原政务小助手", haiyuan.settings.rasa_url, conversations.HAIYUAN_MIX),
                ("vanilla", "原版 Rasa", vanilla.url, conversations.VANILLA_MIX),
            ]
            for key, label, url, mix in targets:
                progress.step(f"{label} 预热（每种对话一遍，不计入）")
                warm = warm_up(url, mix)
                if warm.errors or warm.conversations_failed:
                    results["notes"].append(
                        f"{label} 预热: {warm.conversations_failed}/{warm.conversations} 个对话"
                        f"未达目标，错误 {warm.errors} {warm.first_errors}"
                    )
                for level in LEVELS:
                    progress.step(f"{label} {level} 并发对话 {durations['load']:.0f} 秒")

                    def show(r: LoadResult) -> None:
                        progress.update(f"{r.messages} 条消息，错误 {r.errors}")

                    if args.profile and level == 10:
                        pids = (
                            {
                                "rasa": haiyuan.service("Rasa").started.pid,
                                "actions": haiyuan.service("动作服务").started.pid,
                                "backend": haiyuan.service("工单后台").started.pid,
                            }
                            if key == "haiyuan"
                            else {"rasa": vanilla.started.pid}
                        )
                        with Profiler(pids, profiles, f"{key}-10"):
                            run = run_load(key, url, mix, level, durations["load"], show)
                        results.setdefault("profiles", {})[f"{key}-10"] = {
                            name: summary(profiles / f"{key}-10-{name}.txt") for name in pids
                        }
                    else:
                        run = run_load(key, url, mix, level, durations["load"], show)
                    results["latency"][key].append(run.summary())
            results["memory"] = {
                "rasa_mb": servers.peak_rss_mb(haiyuan.service("Rasa").started.pid),
                "actions_mb": servers.peak_rss_mb(haiyuan.service("动作服务").started.pid),
                "backend_mb": servers.peak_rss_mb(haiyuan.service("工单后台").started.pid),
                "vanilla_rasa_mb": servers.peak_rss_mb(vanilla.started.pid),
            }
            results["notes"].append(
                "原版 Rasa 按 rasa init 原样运行（内存 tracker store、无动作服务）；海原政务小助手"
                + (
                    "按 `python3 -m bot run` 的默认配置（SQLite tracker store、动作服务、工单后台）。"
                    if args.stores == "embedded"
                    else "按生产配置（PostgreSQL tracker store、Redis lock store、PostgreSQL 工单库和暂存箱，"
                    "deploy/endpoints.production.yml），单个实例。"
                )
            )
        if haiyuan:
            haiyuan.stop()
            haiyuan = None
        if vanilla:
            vanilla.stop()
            vanilla = None
        if stores:
            stores.stop()
            stores = None

        if "backend" in sections:
            results["backend"] = {}
            progress.step("工单后台 · SQLite")
            results["backend"]["sqlite"] = backend_load.measure(
                "sqlite", None, durations["backend"], progress.update, profiles if args.profile else None
            )
            progress.step("工单后台 · PostgreSQL")
            try:
                from bot import system_packages
                from tests.support.sandbox import Postgres

                system_packages.ensure("postgresql")
                with Postgres(durable=True) as pg:
                    url = pg.create_database("bench_tickets")
                    results["backend"]["postgresql"] = backend_load.measure(
                        "postgresql", url, durations["backend"], progress.update, profiles if args.profile else None
                    )
            except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
                results["backend"]["postgresql"] = {"error": str(error)[:500]}

        if run_training:
            progress.step("完整训练 + 增量训练（临时目录，不动 models/）")
            try:
                results["training"] = training.measure(work / "training", log_dir / "training.log")
            except RuntimeError as error:
                results["training"] = {"error": str(error)}
        elif "training" in sections:
            results["training"] = {"skipped": "--quick 不测训练（完整模式测）"}
    finally:
        if nlu_process and nlu_process.poll() is None:
            nlu_process.kill()
        for running in (haiyuan, vanilla, stores):
            if running:
                running.stop()
        shutil.rmtree(work, ignore_errors=True)

    progress.done()
    json_path, md_path = report.write(results, args.out)
    print(report.markdown(results))
    print(f"[bench] 结果: {md_path}\n[bench]        {json_path}")
    return 0
