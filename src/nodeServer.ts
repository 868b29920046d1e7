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
  const fetch = (request: Request, env: Env) => {
    const response = options.fetch(request, env)
    // Only a subscription can be an event stream: any other response is left alone (its
    // body is not even looked at, which would build the full Response the adapter avoids).
    const { method, url } = env.incoming
    if (method !== 'GET' || !url?.includes('/subscribe')) return response
    return response instanceof Promise ? response.then((r) => direct(r, env.outgoing)) : direct(response, env.outgoing)
  }
  return serve({ fetch: fetch as never, port: options.port, hostname: options.hostname }, onListen) as Server
}
