"""Photos with a complaint on the real backend: only the ticket's own conversation may add them, at most 3,
checked by content, re-encoded without EXIF / GPS, exposed to Open311 as media_url (with the token)."""

from __future__ import annotations

import io
import uuid

from PIL import Image


def jpeg_with_location(size=(640, 480)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (36.0, 34.0, 0.0), "E", (105.0, 38.0, 0.0)  # 海原县 roughly
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(api, number: str, conversation: str, data: bytes, name: str = "p.jpg", kind: str = "image/jpeg"):
    return api.post(
        f"/api/citizen-photos/{number}",
        token=False,
        data={"conversation_id": conversation},
        files={"photo": (name, data, kind)},
    )


def test_own_conversation_adds_up_to_three_photos_without_location(api):
    conversation = f"web-{uuid.uuid4().hex}"
    number = api.new_ticket(conversation_id=conversation)["number"]
    original = jpeg_with_location()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo has a position

    first = upload(api, number, conversation, original)
    assert first.status_code == 201, first.text
    assert first.json() == {"count": 1, "max": 3, "location_removed": True}
    assert upload(api, number, conversation, original).status_code == 201
    assert upload(api, number, conversation, original).status_code == 201
    fourth = upload(api, number, conversation, original)
    assert fourth.status_code == 409 and "最多 3 张" in fourth.json()["detail"]

    [request] = api.get(f"/open311/v2/requests/{number}.json").json()
    assert request["media_url"].startswith(api.backend.url + "/open311/v2/media/")
    path = request["media_url"][len(api.backend.url) :]
    assert api.get(path, token=False).status_code == 401  # staff and Open311 clients only
    stored = api.get(path)
    assert stored.status_code == 200 and stored.headers["content-type"] == "image/jpeg"
    kept = Image.open(io.BytesIO(stored.content))
    assert kept.size == (640, 480)
    assert not kept.getexif() and b"PhoneMaker" not in stored.content  # no EXIF, no GPS, no camera


def test_another_conversation_or_unknown_ticket_is_refused_alike(api):
    number = api.new_ticket(conversation_id=f"web-{uuid.uuid4().hex}")["number"]
    stranger = upload(api, number, f"web-{uuid.uuid4().hex}", jpeg_with_location())
    unknown = upload(api, "HY209901010001", f"web-{uuid.uuid4().hex}", jpeg_with_location())
    assert stranger.status_code == unknown.status_code == 404
    assert stranger.json() == unknown.json()
    assert api.get(f"/open311/v2/requests/{number}.json").json()[0]["media_url"] is None


def test_type_is_checked_by_content_and_size_is_limited(api):
    conversation = f"web-{uuid.uuid4().hex}"
    number = api.new_ticket(conversation_id=conversation)["number"]
    fake = upload(api, number, conversation, b"<?php echo 1; ?>" * 10, name="x.jpg", kind="image/jpeg")
    assert fake.status_code == 415 and "JPG" in fake.json()["detail"]
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    assert upload(api, number, conversation, gif.getvalue(), name="x.gif", kind="image/gif").status_code == 415
    noise = io.BytesIO()
    Image.effect_noise((1400, 1400), 90).convert("RGB").save(noise, format="PNG")
    assert len(noise.getvalue()) > 1024 * 1024
    assert upload(api, number, conversation, noise.getvalue(), name="big.png", kind="image/png").status_code == 413
    png = io.BytesIO()
    Image.new("RGB", (300, 200), (0, 90, 0)).save(png, format="PNG")
    assert upload(api, number, conversation, png.getvalue(), name="ok.png", kind="image/png").status_code == 201
