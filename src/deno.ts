import { startEdgelog } from './server.ts'

const { fetch, config, logger, stop, idle } = await startEdgelog(Deno.env.toObject())
const server = Deno.serve({ port: config.port, hostname: config.host, onListen: ({ hostname, port }) =>
  logger({ level: 'info', msg: `listening on http://${hostname}:${port} (deno)` }) }, fetch)
// shutdown() cuts the bodies of requests still being received (BadResource), so it waits for
// the handlers in flight (new requests get a 503 meanwhile). No force-close: Deno.exit is it.
const onSignal = () => void stop({ close: () => idle().then(() => server.shutdown()), closeAll: () => {} }).then((code) => Deno.exit(code))
Deno.addSignalListener('SIGINT', onSignal)
Deno.addSignalListener('SIGTERM', onSignal)
