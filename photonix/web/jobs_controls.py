"""The job controls page (/jobs/controls, admin) and the action routes its forms, and the failure groups
of /jobs/failures, post to.

Every action asks first: a POST without `confirm` answers a confirm box naming how many photos it
touches ("Retry 12 photos? [Confirm] [Cancel]"); Confirm posts the same fields again with confirm=1 and
the action runs. HTMX swaps the box, then the sentence saying what happened, into the form's target; a
plain form gets the controls page with the box, then a redirect with a flash. A bad form answers 400
with its message. Limits and the history setting are settings: saved at once, no confirm."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.config import Settings
from photonix.db import accounts, job_pauses, job_settings, step_tally
from photonix.db.accounts import Viewer
from photonix.db.job_pauses import PauseScope, PauseTarget
from photonix.errors import InvalidAction
from photonix.jobs import actions
from photonix.jobs.actions import ActionReport
from photonix.jobs.housekeeping import MAX_HISTORY_DAYS
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.rerun import Rerun, RerunMode
from photonix.jobs.retry import RetryScope, RetrySelection
from photonix.web.auth import provide_page_viewer, requires_admin
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.flash import Flash, flash_cookie
from photonix.web.templating import page, wants_fragment

CONTROLS = "/jobs/controls"
MAX_LIMIT = 1000
Answer = Template | Redirect


@dataclass(frozen=True, slots=True)
class Confirm:
    """The confirm box: the question, and the fields to post again with confirm=1."""

    action: str
    question: str
    fields: list[tuple[str, str]]


async def controls_context(viewer: Viewer) -> dict[str, Any]:
    summary = await step_tally.step_counts()
    limits = await job_settings.step_limits()
    return {
        "jobs_tab": "controls",
        "steps": [{"name": name, "failed": summary.get(name, {}).get("failed", 0), "limit": limits.get(name)}
                  for name in PIPELINE.step_names()],
        "libraries": await accounts.all_libraries(),
        "pauses": await job_pauses.active_pauses(),
        "history_days": await job_settings.history_days(),
        "max_history_days": MAX_HISTORY_DAYS,
        "errors": {},
    }


def _text(form: FormMultiDict, name: str) -> str | None:
    """A form field, None when absent or blank."""
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _number(form: FormMultiDict, name: str, what: str) -> int | None:
    raw = _text(form, name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidAction(f"{what} must be a whole number, not {raw!r}.") from None


def _back(form: FormMultiDict) -> str:
    """Where a plain form returns to: a page under /jobs/ it names, else the controls page."""
    back = _text(form, "back")
    return back if back and back.startswith("/jobs/") and "//" not in back and "\\" not in back else CONTROLS


def _retry_selection(form: FormMultiDict) -> RetrySelection:
    try:
        scope = RetryScope(form.get("scope") or "")
    except ValueError:
        raise InvalidAction("Choose what to retry: one job, a selection, a failure group, a step or "
                            "all.") from None
    try:
        photo_ids = tuple(int(value) for value in form.getall("photo", []) if value.strip())
    except ValueError:
        raise InvalidAction("Photos are named by their numbers.") from None
    in_group = scope is RetryScope.GROUP
    return RetrySelection(scope, photo_ids, _text(form, "step"),
                          (form.get("error_kind") or "") if in_group else None,
                          form.get("reason") if in_group else None, _number(form, "library", "The library"))


def _pause_target(form: FormMultiDict) -> PauseTarget:
    try:
        scope = PauseScope(form.get("scope") or "global")
    except ValueError:
        raise InvalidAction("Pause everything, a step or a library.") from None
    return PauseTarget(scope, _text(form, "step") or "", _number(form, "library", "The library"))


def _rerun(form: FormMultiDict) -> Rerun:
    step = _text(form, "step")
    if step is None:
        raise InvalidAction("Choose the step to re-run.")
    try:
        mode = RerunMode(form.get("mode") or RerunMode.MISSING)
    except ValueError:
        raise InvalidAction("Re-run missing only, or all.") from None
    return Rerun(step, mode, _number(form, "library", "The library"))


def _days(form: FormMultiDict) -> int:
    days = _number(form, "days", "Days")
    if days is None:
        raise InvalidAction("Say how many days of history to keep.")
    return days


class JobControlsController(Controller):
    path = "/jobs"
    guards = [requires_admin]
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @get("/controls")
    async def controls(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        return await page(request, "pages/jobs_controls.html", await controls_context(viewer),
                          fragment="partials/jobs_controls.html")

    @post("/retry")
    async def retry(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                    redis: RedisDep) -> Answer:
        form = await request.form()
        return await _act(request, viewer, settings, form, "/jobs/retry",
                          lambda dry: actions.retry_action(redis, _retry_selection(form), dry_run=dry,
                                                            bulk_over=settings.bulk_action_photos))

    @post("/rerun")
    async def rerun(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                    redis: RedisDep) -> Answer:
        form = await request.form()
        return await _act(request, viewer, settings, form, "/jobs/rerun",
                          lambda dry: actions.rerun_action(redis, _rerun(form), dry_run=dry,
                                                            bulk_over=settings.bulk_action_photos))

    @post("/pause")
    async def pause(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep) -> Answer:
        form = await request.form()
        return await _act(request, viewer, settings, form, "/jobs/pause",
                          lambda dry: actions.pause_action(_pause_target(form), viewer.username, dry_run=dry),
                          refresh_pauses=True)

    @post("/resume")
    async def resume(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                     redis: RedisDep) -> Answer:
        form = await request.form()
        return await _act(request, viewer, settings, form, "/jobs/resume",
                          lambda dry: actions.resume_action(redis, _pause_target(form), dry_run=dry),
                          refresh_pauses=True)

    @post("/cancel")
    async def cancel(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                     redis: RedisDep) -> Answer:
        form = await request.form()
        return await _act(request, viewer, settings, form, "/jobs/cancel",
                          lambda dry: actions.cancel_action(redis, _number(form, "library", "The library"),
                                                            viewer.username, dry_run=dry))

    @post("/clear-history")
    async def clear_history(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep) -> Answer:
        form = await request.form()
        return await _act(request, viewer, settings, form, "/jobs/clear-history",
                          lambda dry: actions.clear_history_action(_days(form), dry_run=dry))

    @post("/limits")
    async def limits(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep) -> Answer:
        """Every step's limit at once (a blank field: no limit); running workers pick them up within
        seconds."""
        form = await request.form()
        try:
            wanted = {name: _number(form, f"limit-{name}", f"The limit of {name}")
                      for name in PIPELINE.step_names()}
            if any(limit is not None and not 0 <= limit <= MAX_LIMIT for limit in wanted.values()):
                raise InvalidAction(f"A limit is 1 to {MAX_LIMIT} runs at once per worker (blank: none).")
        except InvalidAction as exc:
            return await _setting_answer(request, viewer, settings, str(exc), "limits", status_code=400)
        for name, limit in wanted.items():
            await job_settings.set_step_limit(name, limit)
        limited = ", ".join(f"{name} {limit}" for name, limit in wanted.items() if limit)
        return await _setting_answer(request, viewer, settings,
                                     f"Limits saved ({limited or 'none'}); running workers apply them "
                                     "within seconds.", "limits")

    @post("/history-days")
    async def history_days(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep) -> Answer:
        form = await request.form()
        try:
            days = _number(form, "days", "Days") or 0
            if not 0 <= days <= MAX_HISTORY_DAYS:
                raise InvalidAction(f"Keep history for 0 (all of it) to {MAX_HISTORY_DAYS} days.")
        except InvalidAction as exc:
            return await _setting_answer(request, viewer, settings, str(exc), "history", status_code=400)
        await job_settings.set_history_days(days)
        message = (f"Finished history older than {days} days is cleared each night; the latest run of every "
                   "step stays." if days else "All finished history is kept.")
        return await _setting_answer(request, viewer, settings, message, "history")


async def _act(request: HTMXRequest, viewer: Viewer, settings: Settings, form: FormMultiDict, action: str,
               run: Callable[[bool], Awaitable[ActionReport]], *, refresh_pauses: bool = False) -> Answer:
    """Ask (no confirm), act (confirm=1) or drop it (confirm=no); answer HTMX with a fragment and a plain
    form with the page or a redirect."""
    answer = form.get("confirm")
    if answer == "no":
        return await _outcome(request, viewer, settings, form, Flash("ok", "Nothing was changed."))
    try:
        report = await run(answer != "1")
    except InvalidAction as exc:
        return await _outcome(request, viewer, settings, form, Flash("error", str(exc)), status_code=400)
    if not report.dry_run or report.is_empty:
        return await _outcome(request, viewer, settings, form, Flash("ok", report.message),
                              refresh_pauses=refresh_pauses and not report.dry_run)
    fields = [(name, value) for name, value in form.multi_items()
              if name not in ("confirm", "_csrf_token") and isinstance(value, str)]
    confirm = Confirm(action, report.message, fields)
    if wants_fragment(request):
        return Template("partials/jobs_confirm.html", context={"confirm": confirm})
    return await page(request, "pages/jobs_controls.html",
                      {**await controls_context(viewer), "confirm": confirm})


async def _outcome(request: HTMXRequest, viewer: Viewer, settings: Settings, form: FormMultiDict,
                   said: Flash, *, status_code: int = 200, refresh_pauses: bool = False) -> Answer:
    if wants_fragment(request):
        context: dict[str, Any] = {"outcome": said, "toast": said}
        if refresh_pauses:
            context.update({"pauses": await job_pauses.active_pauses(), "oob": True})
        return Template("partials/jobs_outcome.html", context=context, status_code=status_code)
    if said.level == "error":
        return await page(request, "pages/jobs_controls.html",
                          {**await controls_context(viewer), "error": said.text}, status_code=status_code)
    return _redirect(request, settings, _back(form), said)


# A setting's form section -> the partial that shows it again with its answer.
SETTING_SECTIONS = {"limits": "partials/jobs_limits.html", "history": "partials/jobs_history_settings.html"}


async def _setting_answer(request: HTMXRequest, viewer: Viewer, settings: Settings, text: str, section: str,
                          status_code: int = 200) -> Answer:
    said = Flash("error" if status_code >= 400 else "ok", text)
    context = {**await controls_context(viewer), "toast": said}
    if said.level == "error":
        context["errors"] = {section: text}
    if wants_fragment(request):
        return Template(SETTING_SECTIONS[section], context=context, status_code=status_code)
    if said.level == "error":
        return await page(request, "pages/jobs_controls.html", context, status_code=status_code)
    return _redirect(request, settings, CONTROLS, said)


def _redirect(request: Request[Any, Any, Any], settings: Settings, target: str, said: Flash) -> Redirect:
    cookie = flash_cookie(request.app.state.secret, said, secure=settings.secure_cookies)
    return Redirect(target, status_code=303, cookies=[cookie])
