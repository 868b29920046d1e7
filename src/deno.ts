import { startEdgelog } from './server.ts'

const { fetch, config, log, stop } = await startEdgelog(Deno.env.toObject())
const server = Deno.serve({ port: config.port, hostname: config.host, onListen: ({ hostname, port }) =>
  log({ level: 'info', msg: `listening on http://${hostname}:${port} (deno)` }) }, fetch)
// shutdown() resolves once every connection has finished; Deno.serve has no force-close, Deno.exit is it.
const onSignal = () => void stop({ close: () => server.shutdown(), closeAll: () => {} }).then((code) => Deno.exit(code))
Deno.addSignalListener('SIGINT', onSignal)
Deno.addSignalListener('SIGTERM', onSignal)
