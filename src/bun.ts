import { startEdgelog } from './server.ts'

const { app, config, shutdown, endSubscriptions, log } = await startEdgelog(process.env)
// idleTimeout 0: Bun closes idle connections after 10 s by default, which would cut SSE.
const server = Bun.serve({ fetch: app.fetch, port: config.port, hostname: config.host, idleTimeout: 0 })
log({ level: 'info', msg: `listening on ${server.url} (bun)` })
const stop = async () => {
  endSubscriptions()
  await server.stop()
  await shutdown()
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
