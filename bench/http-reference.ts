/**
 * The reference for `npm run bench:http`: a bare Hono app with the shapes of edgelog's hot
 * routes and no database, on the same runtime as the edgelog it is compared with. It parses
 * the same JSON bodies and answers results of the same shape; pages are a fixed body of the
 * same bytes as an edgelog page (PAGE_JSON / PAGE_CBOR: files captured by bench/http.ts).
 * So "edgelog / reference" is what edgelog costs above the runtime's own HTTP stack + Hono.
 *
 * node --import tsx bench/http-reference.ts | bun run bench/http-reference.ts |
 * deno run --allow-net --allow-env --allow-read bench/http-reference.ts   (PORT=...)
 */
import { readFileSync } from 'node:fs'
import { Hono } from 'hono'

const env = (name: string) => (globalThis as any).process?.env?.[name] ?? (globalThis as any).Deno?.env.get(name)
const port = Number(env('PORT') ?? 3100)
const pageJson = env('PAGE_JSON') ? readFileSync(env('PAGE_JSON')) : new Uint8Array()
const pageCbor = env('PAGE_CBOR') ? readFileSync(env('PAGE_CBOR')) : new Uint8Array()

let position = 0
const app = new Hono()

app.post('/v1/streams/:stream', async (c) => {
  const body = await c.req.json<{ events: Array<{ id?: string }> }>()
  const stream = c.req.param('stream')
  const events = body.events.map((e, i) => ({ id: e.id ?? crypto.randomUUID(), revision: i, position: ++position }))
  const last = events[events.length - 1]
  c.header('ETag', `"${last.revision}"`)
  return c.json(
    { stream, firstRevision: 0, lastRevision: last.revision, firstPosition: events[0].position, lastPosition: last.position, events },
    201,
  )
})

app.get('/v1/streams/:stream/head', (c) => {
  c.header('ETag', '"7"')
  return c.json({ stream: c.req.param('stream'), revision: 7, position: ++position })
})

app.get('/v1/streams/:stream', (c) => {
  const stream = c.req.param('stream')
  const event = {
    id: crypto.randomUUID(),
    stream,
    type: 'Deposited',
    revision: 7,
    position: 8,
    time: new Date().toISOString(),
    data: { amount: 125, currency: 'EUR', account: stream },
    metadata: null,
    tags: [],
  }
  c.header('ETag', '"7"')
  return c.json({ stream, events: [event], next: 6 })
})

app.get('/v1/all', (c) => {
  const cbor = (c.req.header('accept') ?? '').includes('application/cbor')
  return c.body(cbor ? pageCbor : pageJson, 200, { 'content-type': cbor ? 'application/cbor' : 'application/json' })
})

app.get('/health', (c) => c.json({ status: 'ok' }))

const g = globalThis as any
if (g.Bun) g.Bun.serve({ port, hostname: '127.0.0.1', fetch: app.fetch })
else if (g.Deno) g.Deno.serve({ port, hostname: '127.0.0.1', onListen() {} }, app.fetch)
else {
  const { serve } = await import('@hono/node-server')
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' })
}
// exit (not die) on a signal, so `node --cpu-prof` writes its profile
;(globalThis as any).process?.once?.('SIGINT', () => (globalThis as any).process.exit(0))
