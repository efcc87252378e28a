"""The job dashboard's lists (admins): failures grouped by cause, one cause's photos, the run history.

Filters are GET parameters (list_filters.py), so every list is a link. Lists page by keyset: a `before`
run id, never a page number. An HTMX request for the next page gets its rows alone."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.di import Provide
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from photonix.db import accounts, job_history
from photonix.db.step_states import StepState
from photonix.jobs.pipeline import PIPELINE
from photonix.web.auth import provide_page_viewer, requires_admin
from photonix.web.deps import ViewerDep
from photonix.web.list_filters import FAILURE_FIELDS, HISTORY_FIELDS, ParsedFilters, parse_filters
from photonix.web.params import parse_id
from photonix.web.templating import page, wants_fragment

GROUP_FIELDS = ("step", "error_kind", "reason")
GROUP_FILTERS = tuple(name for name in FAILURE_FIELDS if name != "step")   # the step is the group's own


async def _filters(request: HTMXRequest, names: tuple[str, ...]) -> tuple[ParsedFilters, dict[str, Any]]:
    """The parsed filters, and what every list's form needs: the choices and what was typed."""
    libraries = await accounts.all_libraries()
    parsed = parse_filters(request.query_params, names, PIPELINE.step_names(), {lib.id for lib in libraries})
    return parsed, {"libraries": libraries, "steps": PIPELINE.step_names(), "states": list(StepState),
                    "values": parsed.values, "errors": parsed.errors}


def _link(path: str, **query: Any) -> str:
    kept = {name: value for name, value in query.items() if value not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def group_link(key: job_history.GroupKey, values: dict[str, str]) -> str:
    """A group's page, keeping the list's filters."""
    return _link("/jobs/failures/group", step=key.step, error_kind=key.error_kind, reason=key.reason,
                 **{name: values.get(name) for name in GROUP_FILTERS})


class JobListsController(Controller):
    path = "/jobs"
    guards = [requires_admin]
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @get("/failures")
    async def failures(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        """Every cause of failure, most photos first, with a few of its photos and a Retry form."""
        parsed, context = await _filters(request, FAILURE_FIELDS)
        groups = [] if parsed.errors else await job_history.failure_groups(parsed.failures())
        context |= {"jobs_tab": "failures", "viewer": viewer,
                    "groups": [(group, group_link(group.key, parsed.values)) for group in groups],
                    "shown_limit": job_history.GROUPS_SHOWN}
        return await page(request, "pages/jobs_failures.html", context,
                          fragment="partials/jobs_failures.html", status_code=422 if parsed.errors else 200)

    @get("/failures/group")
    async def failure_group(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        """One cause's photos as a thumbnail grid (newest failure first), and the traceback of an internal
        error."""
        parsed, context = await _filters(request, GROUP_FILTERS)
        params = request.query_params
        key = job_history.GroupKey(*(str(params.get(name) or "") for name in GROUP_FIELDS))
        before = parse_id(params.get("before"))
        group = await job_history.group_page(key, parsed.failures(), before=before)
        older = None
        if group.next_before is not None:
            older = _link("/jobs/failures/group", **{name: getattr(key, name) for name in GROUP_FIELDS},
                          **{name: parsed.values.get(name) for name in GROUP_FILTERS},
                          before=group.next_before)
        context |= {"jobs_tab": "failures", "viewer": viewer, "group": group, "older": older,
                    "continued": before is not None,
                    "back": _link("/jobs/failures", **parsed.values)}
        if before is not None and wants_fragment(request):
            return Template("partials/jobs_failure_tiles.html", context=context,
                            headers={"Vary": "HX-Request"})
        return await page(request, "pages/jobs_failure_group.html", context,
                          fragment="partials/jobs_failure_group.html",
                          status_code=422 if parsed.errors else 200)

    @get("/history")
    async def history(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        """Every run, newest first, filtered by state, step, library, photo, time and error text."""
        parsed, context = await _filters(request, HISTORY_FIELDS)
        before = parse_id(request.query_params.get("before"))
        runs = (job_history.HistoryPage([], None) if parsed.errors
                else await job_history.history_page(parsed.history(), before=before))
        context |= {"jobs_tab": "history", "viewer": viewer, "runs": runs.rows,
                    "older": _link("/jobs/history", **parsed.values, before=runs.next_before)
                    if runs.next_before is not None else None}
        if before is not None and wants_fragment(request):
            return Template("partials/jobs_history_rows.html", context=context,
                            headers={"Vary": "HX-Request"})
        return await page(request, "pages/jobs_history.html", context,
                          fragment="partials/jobs_history.html", status_code=422 if parsed.errors else 200)
