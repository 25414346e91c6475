"""All console routes under /console, plus the public notices API (/api/notices/active, no token)."""

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from bot.console.routes import (
    analytics,
    auth,
    deadline_warnings,
    facts,
    handoff,
    home,
    hot_questions,
    inbox,
    knowledge,
    notices,
    ratings,
    ticket_photos,
    tickets,
    training,
    users,
)

router = APIRouter()
console_router = APIRouter(prefix="/console", tags=["工作人员控制台"], include_in_schema=False)
for module in (
    home,
    auth,
    handoff,
    inbox,
    training,
    knowledge,
    facts,
    notices,
    deadline_warnings,
    ticket_photos,
    tickets,
    analytics,
    users,
):
    console_router.include_router(module.router)


@console_router.get("")
def bare() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=303)


router.include_router(console_router)
router.include_router(notices.public_router)
router.include_router(hot_questions.public_router)  # 热点问题 for the chat's welcome (public)
router.include_router(ratings.public_router)  # 好差评 from the chat page (public)
