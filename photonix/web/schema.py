"""/schema: the OpenAPI document for signed-in users only (a browser session or a bearer token): a
viewer at /schema, the JSON at /schema/openapi.json.

The viewers Litestar ships load their scripts and fonts from CDNs (blank without a network, and telling
third parties who reads the docs) and start with inline scripts, which the Content-Security-Policy
refuses. Ours is Swagger UI vendored under static/vendor/, started by static/js/schema.js."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from photonix.web.auth import viewer_from_session, viewer_from_token

PATH = "/schema"


async def requires_signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    viewer = (await viewer_from_session(connection)  # type: ignore[arg-type]
              or await viewer_from_token(connection))  # type: ignore[arg-type]
    if viewer is None:
        raise NotAuthorizedException("sign in, or send Authorization: Bearer <token> (photonix token create)",
                                     headers={"WWW-Authenticate": 'Bearer realm="photonix"'})


class VendoredSwaggerPlugin(OpenAPIRenderPlugin):
    """Swagger UI from the app's own static files, drawn from the JSON plugin's document."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        template = request.app.template_engine.get_template("pages/schema.html")  # type: ignore[union-attr]
        page: str = template.render(title=openapi_schema.get("info", {}).get("title", "Photonix"),
                               spec_url=self.get_openapi_json_route(request))
        return page.encode()


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Photonix", version="1", path=PATH,
        # /api/v1 takes `Authorization: Bearer <token>` (photonix token create); its routes name the scheme.
        components=Components(security_schemes={"BearerToken": SecurityScheme(
            type="http", scheme="bearer",
            description="an API token from `photonix token create` or the Account page")}),
        render_plugins=[VendoredSwaggerPlugin(path=["/", "/swagger"]),
                        JsonRenderPlugin(path="/openapi.json")],
        openapi_router=Router(path=PATH, route_handlers=[], guards=[requires_signed_in],
                              include_in_schema=False),
    )
