"use strict";
var __assign = (this && this.__assign) || function () {
    __assign = Object.assign || function(t) {
        for (var s, i = 1, n = arguments.length; i < n; i++) {
            s = arguments[i];
            for (var p in s) if (Object.prototype.hasOwnProperty.call(s, p))
                t[p] = s[p];
        }
        return t;
    };
    return __assign.apply(this, arguments);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.registerDocsPage = registerDocsPage;
// Relative URLs: the page works under any path prefix a proxy adds. Nothing from a CDN, no
// inline script (a strict Content-Security-Policy can allow 'self' only).
var PAGE = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>edgelog API</title>\n<link rel=\"stylesheet\" href=\"docs/swagger-ui.css\">\n</head>\n<body>\n<div id=\"swagger-ui\"></div>\n<script src=\"docs/swagger-ui-bundle.js\"></script>\n<script src=\"docs/init.js\"></script>\n</body>\n</html>\n";
// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
var INIT = "window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', validatorUrl: null, deepLinking: true })\n";
/** GET /docs: the API reference rendered by Swagger UI, every asset from this server. */
function registerDocsPage(app, assets) {
    var cache = { 'Cache-Control': 'public, max-age=3600' };
    app.get('/docs', function (c) { return c.html(PAGE); });
    app.get('/docs/swagger-ui-bundle.js', function (c) { return c.body(assets.bundleJs, 200, __assign({ 'Content-Type': 'text/javascript; charset=utf-8' }, cache)); });
    app.get('/docs/swagger-ui.css', function (c) { return c.body(assets.css, 200, __assign({ 'Content-Type': 'text/css; charset=utf-8' }, cache)); });
    app.get('/docs/init.js', function (c) { return c.body(INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }); });
}
