import { startEdgelog } from './server.ts'

const { app, config, shutdown, endSubscriptions, log } = await startEdgelog(Deno.env.toObject())
const server = Deno.serve({ port: config.port, hostname: config.host, onListen: ({ hostname, port }) =>
  log({ level: 'info', msg: `listening on http://${hostname}:${port} (deno)` }) }, app.fetch)
const stop = async () => {
  endSubscriptions()
  await server.shutdown()
  await shutdown()
  Deno.exit(0)
}
Deno.addSignalListener('SIGINT', stop)
Deno.addSignalListener('SIGTERM', stop)
