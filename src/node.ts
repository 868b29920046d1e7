import { serveNode } from './nodeServer.ts'
import { startEdgelog } from './server.ts'

const { fetch, config, logger, stop } = await startEdgelog(process.env)
const server = serveNode({ fetch, port: config.port, hostname: config.host }, (info) =>
  logger({ level: 'info', msg: `listening on http://${info.address}:${info.port} (node)` }),
)
// Idle keep-alive connections live 65 s, not Node's 5 s: a pooled client (fetch, a load
// balancer) reusing one just as the server closes it gets "other side closed" on a request.
server.keepAliveTimeout = 65_000
const onSignal = () =>
  void stop({
    // close() calls back once every connection has ended; Node does not close idle ones itself before 19
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeIdleConnections())),
    closeAll: () => server.closeAllConnections(),
  }).then((code) => process.exit(code))
process.once('SIGINT', onSignal)
process.once('SIGTERM', onSignal)
