import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { DocsAssets } from './http/routes/docsPage.ts'

/** Swagger UI's files from node_modules (Node, Bun, Deno); the Worker bundles them instead (src/worker.ts). */
export async function loadDocsAssets(): Promise<DocsAssets> {
  const read = (file: string) => readFile(fileURLToPath(import.meta.resolve(`swagger-ui-dist/${file}`)), 'utf8')
  const [bundleJs, css] = await Promise.all([read('swagger-ui-bundle.js'), read('swagger-ui.css')])
  return { bundleJs, css }
}
