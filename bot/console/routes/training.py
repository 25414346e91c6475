"""模型训练: what changed since the last model, start a retrain, follow its log, see the model go live."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from bot.console.routes.deps import ConsoleRoute, action, console, page, render, see_other
from bot.console.services.auth import CurrentUser
from bot.console.services.training import LOADING, RUNNING, STATUS_LABELS, TrainingBusy

router = APIRouter(route_class=ConsoleRoute)


@router.get("/training", summary="模型训练")
def training(request: Request, busy: str = "", user: CurrentUser = Depends(page("training"))):
    app = console(request)
    job = app.trainer.latest()
    running = job is not None and job.status in (RUNNING, LOADING)
    return render(
        request,
        "training.html",
        {
            "title": "模型训练",
            "user": user,
            "job": job,
            "running": running,
            "statuses": STATUS_LABELS,
            "log": app.trainer.log_tail(job) if job else "",
            "stale": app.trainer.stale_generated(),
            "labelled": app.trainer.labelled_since_last_model(),
            "rasa_model": app.trainer.rasa_model(),
            "command": " ".join(app.settings.train_command),
            "error": "已有训练任务在进行，请等它结束。" if busy else "",
        },
    )


@router.post("/training/start", summary="开始重新训练")
def start(request: Request, user: CurrentUser = Depends(action("training"))):
    try:
        console(request).trainer.start(user)
    except TrainingBusy:
        return see_other("/console/training?busy=1")
    return see_other("/console/training")
