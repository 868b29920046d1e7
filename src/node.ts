import { serve } from '@hono/node-server'
import { startEdgelog } from './server.ts'

const { app, config, shutdown, endSubscriptions, log } = await startEdgelog(process.env)
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) =>
  log({ level: 'info', msg: `listening on http://${info.address}:${info.port} (node)` }),
)
// Stop accepting, let in-flight appends finish and drain the writer, then close the database.
const stop = () => {
  endSubscriptions()
  server.close(() => void shutdown().then(() => process.exit(0)))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
