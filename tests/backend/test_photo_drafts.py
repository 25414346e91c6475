"""Photos added inside the complaint form, before the ticket exists (issue 17): on the real backend a
conversation's drafts are limited, checked like a ticket's photos, deletable only by that conversation, and
become the photos of the ticket created for it (Open311 media_url, `photos` in the API), never of another
conversation's ticket. In-process: drafts older than a day are neither attached nor kept."""

from __future__ import annotations

import uuid
from datetime import timedelta

from bot.tickets import photo_drafts
from bot.tickets.models import PhotoDraft, utcnow
from bot.tickets.service import NewTicket
from tests.backend.test_ticket_photos import jpeg_with_location, upload

DRAFT = "/api/citizen-photos/draft"


def add_draft(api, conversation: str, data: bytes | None = None, name: str = "p.jpg", kind: str = "image/jpeg"):
    return api.post(
        DRAFT,
        token=False,
        data={"conversation_id": conversation},
        files={"photo": (name, data or jpeg_with_location(), kind)},
    )


def delete_draft(api, conversation: str, draft_id: int):
    return api.request("DELETE", f"{DRAFT}/{draft_id}", token=False, data={"conversation_id": conversation})


def test_drafts_are_limited_deletable_and_become_the_new_tickets_photos(api):
    conversation = f"web-{uuid.uuid4().hex}"
    drafts = [add_draft(api, conversation) for _ in range(3)]
    assert [d.status_code for d in drafts] == [201, 201, 201], drafts[-1].text
    assert [d.json()["count"] for d in drafts] == [1, 2, 3]
    assert drafts[0].json()["location_removed"] is True
    fourth = add_draft(api, conversation)
    assert fourth.status_code == 409 and "最多 3 张" in fourth.json()["detail"]

    first = drafts[0].json()["id"]
    stranger = delete_draft(api, f"web-{uuid.uuid4().hex}", first)
    unknown = delete_draft(api, conversation, 999999)
    assert stranger.status_code == unknown.status_code == 404 and stranger.json() == unknown.json()
    removed = delete_draft(api, conversation, first)
    assert removed.status_code == 200 and removed.json() == {"count": 2, "max": 3}
    assert delete_draft(api, conversation, first).status_code == 404  # gone

    ticket = api.new_ticket(conversation_id=conversation)
    assert ticket["photos"] == 2
    number = ticket["number"]
    assert api.get(f"/api/tickets/{number}").json()["photos"] == 2
    [request] = api.get(f"/open311/v2/requests/{number}.json").json()
    assert request["media_url"].startswith(api.backend.url + "/open311/v2/media/")
    stored = api.get(request["media_url"][len(api.backend.url) :])
    assert stored.status_code == 200 and b"PhoneMaker" not in stored.content

    # The card still takes photos up to the limit; the drafts are used up, a next complaint starts empty.
    assert upload(api, number, conversation, jpeg_with_location()).json()["count"] == 3
    assert add_draft(api, conversation).json()["count"] == 1


def test_another_conversation_neither_sees_nor_takes_the_drafts(api):
    mine, other = f"web-{uuid.uuid4().hex}", f"web-{uuid.uuid4().hex}"
    assert add_draft(api, mine).json()["count"] == 1
    assert add_draft(api, other).json()["count"] == 1  # its own count: mine are not visible to it
    others = api.new_ticket(conversation_id=f"web-{uuid.uuid4().hex}")
    assert others["photos"] == 0
    assert api.get(f"/open311/v2/requests/{others['number']}.json").json()[0]["media_url"] is None
    assert api.new_ticket()["photos"] == 0  # no conversation at all (e.g. an Open311 client)
    assert api.new_ticket(conversation_id=mine)["photos"] == 1
    assert api.new_ticket(conversation_id=other)["photos"] == 1


def test_a_draft_is_checked_by_content(api):
    conversation = f"web-{uuid.uuid4().hex}"
    fake = add_draft(api, conversation, b"<?php echo 1; ?>" * 10, name="x.jpg")
    assert fake.status_code == 415 and "JPG" in fake.json()["detail"]
    blank = add_draft(api, "  ")
    assert blank.status_code == 400
    assert api.new_ticket(conversation_id=conversation)["photos"] == 0


def new_ticket(conversation_id: str) -> NewTicket:
    return NewTicket(
        category="投诉",
        summary="路灯坏了",
        description="村口路灯坏了一个月",
        phone="13812345678",
        consent=True,
        channel="网页对话",
        conversation_id=conversation_id,
    )


def draft_row(conversation_id: str, token: str, age: timedelta) -> PhotoDraft:
    return PhotoDraft(
        conversation_id=conversation_id,
        token=token,
        content_type="image/jpeg",
        size=3,
        width=1,
        height=1,
        had_location=False,
        created_at=utcnow() - age,
    )


def test_old_drafts_are_not_attached_and_expire_with_their_files(service, tmp_path):
    service.created_listeners.append(photo_drafts.attach_drafts)
    folder = tmp_path / "media"
    folder.mkdir()
    tokens = {"fresh": "a" * 32, "stale": "b" * 32}
    for token in tokens.values():
        (folder / f"{token}.jpg").write_bytes(b"jpg")
    with service.db.session(write=True) as session:
        session.add(draft_row("web-1", tokens["fresh"], timedelta(hours=1)))
        session.add(draft_row("web-1", tokens["stale"], timedelta(hours=25)))

    ticket, _ = service.create(new_ticket("web-1"), "k-drafts")
    assert [m.token for m in ticket.media] == [tokens["fresh"]]
    assert [m.token for m in service.get(ticket.number).media] == [tokens["fresh"]]

    assert photo_drafts.expire_drafts(service.db, tmp_path) == 1
    assert (folder / f"{tokens['fresh']}.jpg").is_file()  # now the ticket's photo
    assert not (folder / f"{tokens['stale']}.jpg").exists()
    with service.db.session() as session:
        assert session.query(PhotoDraft).count() == 0
