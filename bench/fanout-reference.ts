/**
 * The reference for bench:fanout's delivery latency: a bare node:http server, no database,
 * no framework. `GET /v1/subscribe` opens an event stream; `POST /v1/streams/:s` takes a
 * position, answers it, and writes the event's pre-rendered message to every open stream,
 * 16 streams per turn of the event loop (as edgelog hands out deliveries), each event on
 * its own. So edgelog's latency beside it is what it costs above the runtime's own HTTP
 * stack and the machine's loopback TCP.
 *
 *   PORT=3200 node bench/fanout-reference.ts   (plain JavaScript in a .ts file: tsx or not)
 */
import { createServer, type ServerResponse } from 'node:http'

const streams = new Set<ServerResponse>()
let position = 0
const message = (p: number, body: string) =>
  Buffer.from(`id: ${p}\ndata: {"id":"${crypto.randomUUID()}","stream":"fan2-x","type":"Timed","revision":${p - 1},"position":${p},"time":"${new Date().toISOString()}","data":${body},"metadata":null,"tags":[]}\n\n`)

createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/v1/subscribe')) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'close' })
    res.write(`: reference subscription\n\n`)
    streams.add(res)
    res.once('close', () => streams.delete(res))
    return
  }
  if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (c: string) => (body += c))
  req.on('end', () => {
    const { events } = JSON.parse(body) as { events: Array<{ data: unknown }> }
    const p = ++position
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ lastPosition: p }))
    const bytes = message(p, JSON.stringify(events[0].data))
    const to = [...streams]
    let i = 0
    const slice = () => {
      for (let n = 0; n < 16 && i < to.length; n++) to[i++].write(bytes)
      if (i < to.length) setImmediate(slice)
    }
    setImmediate(slice)
  })
}).listen(Number(process.env.PORT ?? 3200), '127.0.0.1')
process.once('SIGTERM', () => process.exit(0))
