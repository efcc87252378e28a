"""create_app(settings): the Litestar application with its routes, Redis, CSRF, templates and schema."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from photonix.config import Settings
from photonix.db import engine
from photonix.db.user_sessions import SessionPolicy
from photonix.errors import ConfigError
from photonix.jobs.queue import connect
from photonix.jobs.shared_status import SharedStatus
from photonix.logs import configure_logging
from photonix.resources import STATIC_DIR, TEMPLATES_DIR
from photonix.web.account import AccountController
from photonix.web.album_sharing import AlbumSharingController
from photonix.web.albums import AlbumController
from photonix.web.api import ApiController
from photonix.web.api_job_actions import JobActionsApi
from photonix.web.api_jobs_lists import JobListsApiController
from photonix.web.bulk_actions import ACTIONS
from photonix.web.deps import app_redis
from photonix.web.errors import EXCEPTION_HANDLERS
from photonix.web.files import FileController
from photonix.web.filters import register_filters
from photonix.web.health import healthz, metrics
from photonix.web.import_progress import ImportProgressController
from photonix.web.jobs_controls import JobControlsController
from photonix.web.jobs_lists import JobListsController
from photonix.web.jobs_overview import (
    JobsOverviewController,
    forget_status_after_changes,
    header_status_fragment,
)
from photonix.web.my_account import MyAccountController
from photonix.web.nul_guard import NulGuard
from photonix.web.photo_albums import PhotoAlbumsController
from photonix.web.photo_lifecycle import PhotoLifecycleController
from photonix.web.photos import PhotoController
from photonix.web.plain_http import warn_if_cookies_not_secure
from photonix.web.schema import openapi_config
from photonix.web.secret import load_or_create_secret
from photonix.web.security_headers import security_headers
from photonix.web.selection import SelectionController
from photonix.web.settings import SettingsController
from photonix.web.settings_trash import TrashSettingsController
from photonix.web.settings_users import UsersController
from photonix.web.share_pages import SharePageController
from photonix.web.share_upload import guest_upload_router
from photonix.web.shares import ShareController
from photonix.web.static_files import StaticFiles, static_router
from photonix.web.theme import THEMES, ThemeController, theme_of
from photonix.web.timeline import TimelineController
from photonix.web.upload import upload_router

TEMPLATES = TEMPLATES_DIR
STATIC = STATIC_DIR


def create_app(settings: Settings, *, owns_database: bool = True, public_only: bool = False) -> Litestar:
    """The app; with owns_database=False the caller has bound the database (tests: the app then runs in
    the test client's own event loop, where a connection pool made elsewhere cannot be used).

    public_only (`photonix web --public-only`): the share pages, their images and the static files, and
    nothing else (every other path is 404), so the app itself can stay on a private network."""
    if settings.redis_url is None:
        raise ConfigError("the web app needs PHOTONIX_REDIS_URL (or start it with `photonix up`)")
    configure_logging(settings.log_level)
    secret = load_or_create_secret(settings)
    warn_if_cookies_not_secure(settings)

    async def startup(app: Litestar) -> None:
        if owns_database:
            app.state.engine = engine.bind(settings)
            await engine.open_pool(app.state.engine)
        app.state.redis = await connect(settings)
        app.state.shared_status = SharedStatus()
        app.state.secret = secret.encode()
        app.state.session_policy = SessionPolicy.from_settings(settings)

    async def shutdown(app: Litestar) -> None:
        await app.state.redis.aclose()
        if owns_database:
            await engine.close_pool(app.state.engine)

    def provide_settings() -> Settings:
        return settings

    async def bind_request_context(request: Request[Any, Any, Any]) -> None:
        # Every log line of a request carries its id (the 500 page shows its own id for support).
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=uuid.uuid4().hex[:12], path=request.url.path)

    static_files = StaticFiles.scan(STATIC)               # each file's digest, once, for its ?v= URL

    def template_callback(jinja: JinjaTemplateEngine) -> None:
        # Templates ship with the code: checking every template's mtime on every render cost a grid page
        # 6% of its time. Edit a template, restart the server.
        jinja.engine.auto_reload = False
        register_filters(jinja.engine)
        jinja.engine.globals["selection_actions"] = frozenset(ACTIONS)      # the bar's buttons
        jinja.engine.globals["static_url"] = static_files.url
        jinja.engine.globals["theme_of"] = theme_of                         # <html data-theme>
        jinja.engine.globals["theme_names"] = THEMES                        # the Account page's switch

    static = static_router(static_files)
    handlers: list[Any] = [SharePageController, guest_upload_router(settings), static] if public_only else [
        AccountController, PhotoController, SelectionController, ApiController, JobActionsApi,
        FileController, SettingsController, PhotoLifecycleController, TrashSettingsController,
        healthz, metrics,
        JobsOverviewController, header_status_fragment, ImportProgressController,
        UsersController, MyAccountController, ThemeController, JobControlsController,
        JobListsController, TimelineController, JobListsApiController,
        AlbumController, AlbumSharingController, PhotoAlbumsController,
        ShareController, SharePageController, guest_upload_router(settings),
        upload_router(settings),   # a router of its own: the body limit follows the setting
        static,
    ]
    templates = TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine,
                               engine_callback=template_callback)
    return Litestar(
        route_handlers=handlers,
        dependencies={"redis": Provide(app_redis, sync_to_thread=False),
                      "settings": Provide(provide_settings, sync_to_thread=False)},
        on_startup=[startup],
        on_shutdown=[shutdown],
        template_config=templates,
        csrf_config=CSRFConfig(secret=secret, cookie_secure=settings.secure_cookies, exclude=["^/api/"]),
        openapi_config=None if public_only else openapi_config(),
        plugins=[HTMXPlugin()],
        before_request=bind_request_context,
        before_send=[security_headers(settings), forget_status_after_changes],
        middleware=[NulGuard],
        logging_config=None,               # our structlog JSON set-up stays in charge
        exception_handlers=EXCEPTION_HANDLERS,
        debug=False,
    )
