import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Env } from '../media.ts'

/** Swagger UI's files (swagger-ui-dist, pinned in package.json), served by edgelog itself. */
export interface DocsAssets {
  /** swagger-ui-dist/swagger-ui-bundle.js */
  bundleJs: string
  /** swagger-ui-dist/swagger-ui.css */
  css: string
}

// Relative URLs: the page works under any path prefix a proxy adds. Nothing from a CDN, no
// inline script (a strict Content-Security-Policy can allow 'self' only).
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgelog API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`
// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', validatorUrl: null, deepLinking: true })\n`

/** GET /docs: the API reference rendered by Swagger UI, every asset from this server. */
export function registerDocsPage(app: OpenAPIHono<Env>, assets: DocsAssets) {
  const cache = { 'Cache-Control': 'public, max-age=3600' }
  app.get('/docs', (c) => c.html(PAGE))
  app.get('/docs/swagger-ui-bundle.js', (c) => c.body(assets.bundleJs, 200, { 'Content-Type': 'text/javascript; charset=utf-8', ...cache }))
  app.get('/docs/swagger-ui.css', (c) => c.body(assets.css, 200, { 'Content-Type': 'text/css; charset=utf-8', ...cache }))
  app.get('/docs/init.js', (c) => c.body(INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }))
}
