// Text modules (wrangler.toml [[rules]]): Swagger UI's files ride in the bundle, so /docs needs no CDN.
import swaggerUiBundle from 'swagger-ui-dist/swagger-ui-bundle.js'
import swaggerUiCss from 'swagger-ui-dist/swagger-ui.css'
import type { DocsAssets } from '../http/routes/docsPage.ts'

export const docs: DocsAssets = { bundleJs: swaggerUiBundle, css: swaggerUiCss }
