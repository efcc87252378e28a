"""/schema: the OpenAPI document, as JSON, for signed-in users only (a browser session or a bearer token).

Only JSON is served: the HTML viewers Litestar offers load their scripts from a CDN, which the
Content-Security-Policy (rightly) refuses."""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from photonix.web.auth import viewer_from_session, viewer_from_token

PATH = "/schema"


async def requires_signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    viewer = (await viewer_from_session(connection)  # type: ignore[arg-type]
              or await viewer_from_token(connection))  # type: ignore[arg-type]
    if viewer is None:
        raise NotAuthorizedException("sign in, or send Authorization: Bearer <token> (photonix token create)",
                                     headers={"WWW-Authenticate": 'Bearer realm="photonix"'})


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Photonix", version="1", path=PATH,
        # /api/v1 takes `Authorization: Bearer <token>` (photonix token create); its routes name the scheme.
        components=Components(security_schemes={"BearerToken": SecurityScheme(
            type="http", scheme="bearer",
            description="an API token from `photonix token create` or the Account page")}),
        render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])],
        openapi_router=Router(path=PATH, route_handlers=[], guards=[requires_signed_in],
                              include_in_schema=False),
    )
