// /schema: Swagger UI (vendored in static/vendor/) drawn from the app's own OpenAPI document. Nothing is
// fetched from elsewhere: no validator badge (it would send the schema's URL to validator.swagger.io).
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
