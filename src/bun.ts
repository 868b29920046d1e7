import { startEdgelog } from './server.ts'

const { fetch, config, logger, stop } = await startEdgelog(process.env)
// idleTimeout 0: Bun closes idle connections after 10 s by default, which would cut SSE.
const server = Bun.serve({ fetch, port: config.port, hostname: config.host, idleTimeout: 0 })
logger({ level: 'info', msg: `listening on ${server.url} (bun)` })
// stop(): stop accepting, close idle connections, resolve once all have closed; stop(true): close them now.
const onSignal = () => void stop({ close: () => server.stop(), closeAll: () => server.stop(true) }).then((code) => process.exit(code))
process.once('SIGINT', onSignal)
process.once('SIGTERM', onSignal)
