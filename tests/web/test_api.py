"""The JSON API: what a token's user sees, what a stranger gets (404/401), reprocess and job summary."""

from __future__ import annotations

from arq import ArqRedis

from photonix.db import accounts
from photonix.jobs.importer import import_paths
from photonix.jobs.pipeline import PIPELINE
from tests import corpus
from tests.library_files import import_into
from tests.web.conftest import Member

GPS_PHOTO = next(row for row in corpus.rows(expected="ok") if row.gps_lat and row.datetime_original)
BAD_PHOTO = corpus.rows(expected="fail")[0]


async def imported(redis: ArqRedis, member: Member, *rows: corpus.Row) -> list[int]:
    report = await import_into(redis, member.library_id, [row.file for row in rows])
    return report.new_photo_ids


async def test_photo_detail_shows_metadata_tags_thumbnails_and_steps(client, alice, redis, worker) -> None:
    [photo_id] = await imported(redis, alice, GPS_PHOTO)
    await worker().main()
    response = await client.get(f"/api/v1/photos/{photo_id}", headers=alice.auth)
    assert response.status_code == 200
    detail = response.json()
    assert detail["camera_model"] == GPS_PHOTO.camera_model.strip()
    assert round(detail["gps_lat"], 6) == float(GPS_PHOTO.gps_lat)
    assert set(detail["thumbnails"]) == {"square", "medium", "large"}
    assert {step["step"] for step in detail["steps"]} == set(PIPELINE.step_names())
    assert {tag["kind"] for tag in detail["tags"]} >= {"color", "location", "event"}
    thumb = await client.get(detail["thumbnails"]["square"]["url"], headers=alice.auth)
    assert thumb.status_code == 200 and thumb.headers["content-type"].startswith("image/")
    assert "immutable" in thumb.headers["cache-control"]


async def test_failed_photo_reports_its_failed_step_and_reason(client, alice, redis, worker) -> None:
    [photo_id] = await imported(redis, alice, BAD_PHOTO)
    await worker().main()
    detail = (await client.get(f"/api/v1/photos/{photo_id}", headers=alice.auth)).json()
    failed = [step for step in detail["steps"] if step["state"] == "failed"]
    assert detail["state"] == "failed" and failed and all(step["error"] for step in failed)
    listed = (await client.get("/api/v1/photos?state=failed", headers=alice.auth)).json()
    assert [item["id"] for item in listed["items"]] == [photo_id]


async def test_guessed_photo_id_answers_404(client, alice, redis) -> None:
    await imported(redis, alice, GPS_PHOTO)
    response = await client.get("/api/v1/photos/999999", headers=alice.auth)
    assert response.status_code == 404


async def test_another_users_photo_answers_404_everywhere(client, alice, bob, redis, worker) -> None:
    [photo_id] = await imported(redis, alice, GPS_PHOTO)
    await worker().main()
    for url in (f"/api/v1/photos/{photo_id}", f"/photos/{photo_id}/thumbnail/square",
                f"/photos/{photo_id}/original"):
        assert (await client.get(url, headers=bob.auth)).status_code == 404, url
        assert (await client.get(url, headers=alice.auth)).status_code == 200, url
    assert (await client.post(f"/api/v1/photos/{photo_id}/reprocess", headers=bob.auth)).status_code == 404
    assert (await client.get("/api/v1/photos", headers=bob.auth)).json()["total"] == 0


async def test_missing_or_wrong_token_answers_401(client, alice) -> None:
    assert (await client.get("/api/v1/photos")).status_code == 401
    assert (await client.get("/api/v1/photos", headers={"Authorization": "Bearer nope"})).status_code == 401


async def test_photo_list_filters_by_tag_and_paginates(client, alice, redis, worker) -> None:
    ids = await imported(redis, alice, GPS_PHOTO, *corpus.rows(expected="ok", folder="orientation")[:2])
    await worker().main()
    page = (await client.get("/api/v1/photos?per_page=2&page=1", headers=alice.auth)).json()
    assert page["total"] == len(ids) and len(page["items"]) == 2
    detail = (await client.get(f"/api/v1/photos/{ids[0]}", headers=alice.auth)).json()
    place = next(tag["name"] for tag in detail["tags"] if tag["kind"] == "location")
    tagged = (await client.get(f"/api/v1/photos?tag={place}", headers=alice.auth)).json()
    assert [item["id"] for item in tagged["items"]] == [ids[0]]
    assert (await client.get("/api/v1/photos?per_page=0", headers=alice.auth)).status_code == 400


async def test_reprocess_runs_the_pipeline_again_at_a_new_version(client, alice, redis, worker) -> None:
    [photo_id] = await imported(redis, alice, GPS_PHOTO)
    await worker().main()
    response = await client.post(f"/api/v1/photos/{photo_id}/reprocess", headers=alice.auth,
                                 json={"steps": ["classify_color"]})
    assert response.status_code == 202 and response.json()["version"] == 2
    await worker().main()
    steps = (await client.get(f"/api/v1/photos/{photo_id}", headers=alice.auth)).json()["steps"]
    color = next(step for step in steps if step["step"] == "classify_color")
    assert color["version"] == 2 and color["state"] == "done"
    bad = await client.post(f"/api/v1/photos/{photo_id}/reprocess", headers=alice.auth,
                            json={"steps": ["nope"]})
    assert bad.status_code == 400 and "nope" in bad.text


async def test_jobs_summary_gives_an_admin_the_typed_status(client, alice, redis, worker) -> None:
    await imported(redis, alice, GPS_PHOTO, BAD_PHOTO)
    await worker().main()
    admin = await accounts.create_user("root", "admin password", is_admin=True)
    token = {"Authorization": f"Bearer {await accounts.create_token(admin, 'tests')}"}
    summary = (await client.get("/api/v1/jobs/summary", headers=token)).json()
    assert sum(summary["steps"]["extract_metadata"].values()) == 2
    assert set(summary["steps"]["extract_metadata"]) == {"queued", "running", "retrying", "done", "failed",
                                                         "skipped"}
    assert summary["queue"] == {"queued": 0, "running": 0}
    assert summary["totals"]["photos_failed"] == 1 and summary["totals"]["photos_processing"] == 0
    assert summary["timing"]["extract_metadata"]["p50_ms"] is not None
    assert sum(summary["timing"]["extract_metadata"]["per_minute"]) == 2
    assert summary["recent_failures"]
    schema = (await client.get("/schema/openapi.json", headers=token)).json()
    assert "JobsStatus" in schema["components"]["schemas"]


async def test_jobs_summary_is_refused_to_a_member(client, alice) -> None:
    assert (await client.get("/api/v1/jobs/summary", headers=alice.auth)).status_code == 403


async def test_openapi_and_health_are_served(client, alice) -> None:
    assert "/api/v1/photos" in (await client.get("/schema/openapi.json", headers=alice.auth)).json()["paths"]
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_a_photo_fixed_by_reprocessing_is_no_longer_listed_as_failed(client, alice, redis, worker,
                                                                            tmp_path) -> None:
    moved = alice.folder / "moved.jpg"
    moved.write_bytes(GPS_PHOTO.file.read_bytes())
    [photo_id] = (await import_paths(redis, PIPELINE, alice.library_id, [moved])).new_photo_ids
    moved.rename(tmp_path / "away.jpg")
    await worker().main()
    failed = (await client.get("/api/v1/photos?state=failed", headers=alice.auth)).json()
    assert [item["id"] for item in failed["items"]] == [photo_id]
    (tmp_path / "away.jpg").rename(moved)
    await client.post(f"/api/v1/photos/{photo_id}/reprocess", headers=alice.auth)
    await worker().main()
    assert (await client.get("/api/v1/photos?state=failed", headers=alice.auth)).json()["total"] == 0


async def test_job_list_schema_describes_the_db_values_it_returns(client, alice) -> None:
    """History rows and the photo timeline leave as the db's own values, and /schema still types them."""
    schema = (await client.get("/schema/openapi.json", headers=alice.auth)).json()
    components = schema["components"]["schemas"]

    def fields(name: str) -> set[str]:
        return set(components[name]["properties"])

    def returned(path: str) -> str:
        answer = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        return str(answer["schema"]["$ref"]).rsplit("/", 1)[-1]

    history = components[returned("/api/v1/jobs/history")]["properties"]["items"]["items"]["$ref"]
    assert history.endswith("/HistoryRow")
    assert {"run_id", "photo_id", "state", "error", "duration_ms"} <= fields("HistoryRow")
    timeline = returned("/api/v1/photos/{photo_id}/timeline")
    assert timeline == "PhotoTimeline" and fields(timeline) == {"photo_id", "runs"}
    assert {"run_id", "step", "version", "state", "tries"} <= fields("RunRecord")
    assert {"try_number", "worker", "traceback"} <= fields("TryRecord")
