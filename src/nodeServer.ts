import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { serve } from '@hono/node-server'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { writeEventStream } from './http/render/sse.ts'

type Env = { incoming: IncomingMessage; outgoing: ServerResponse }
type Fetch = (request: Request, env: Env) => Response | Promise<Response>

/**
 * Serves `fetch` on Node with @hono/node-server; event streams (GET /v1/subscribe) are
 * written straight to Node's response (render/sse.ts writeEventStream) rather than pumped
 * from a web stream by the adapter.
 */
export function serveNode(options: { fetch: Fetch; port: number; hostname: string }, onListen?: (info: { address: string; port: number }) => void): Server {
  const direct = (response: Response, outgoing: ServerResponse) => (writeEventStream(response, outgoing) ? RESPONSE_ALREADY_SENT : response)
  const answer = (request: Request, env: Env) => {
    const response = options.fetch(request, env)
    // Only a subscription can be an event stream: any other response is left alone (its
    // body is not even looked at, which would build the full Response the adapter avoids).
    const { method, url } = env.incoming
    if (method !== 'GET' || !url?.includes('/subscribe')) return response
    return response instanceof Promise ? response.then((r) => direct(r, env.outgoing)) : direct(response, env.outgoing)
  }
  // HTTP/1.1 pipelining: Node parses the next request of a connection while the one before
  // is still being handled, and runs both at once: a GET sent right behind a POST read the
  // stream before the POST committed (a 201, then a 404 for the same stream). RFC 9112
  // §9.3.2 allows that for safe methods only. A request whose response is queued behind
  // another's (Node gives it its socket once the one before has finished) is handled only
  // then. Requests that are not pipelined have their socket at once and pay nothing.
  const fetch = (request: Request, env: Env) => {
    const { outgoing, incoming } = env
    if (outgoing.socket) return answer(request, env)
    return new Promise<Response | typeof RESPONSE_ALREADY_SENT>((resolve) => {
      const gone = () => resolve(new Response(null, { status: 503 })) // the client left: nobody reads it
      outgoing.once('socket', () => {
        incoming.off('close', gone)
        resolve(answer(request, env))
      })
      incoming.once('close', gone)
    })
  }
  return serve({ fetch: fetch as never, port: options.port, hostname: options.hostname }, onListen) as Server
}
