import type { Context } from 'hono'

/** Responses built by `respond`: they carry the request id already. */
const stamped = new WeakSet<Response>()

/**
 * A response with `headers` and this request's X-Request-Id, as a plain `new Response`:
 * `c.body` would build a `Headers` for more than one header and @hono/node-server would
 * then copy it into an object; a plain headers object goes to `writeHead` as it is.
 * Headers other middleware set on `c.res` (CORS) are merged by Hono as for any response.
 */
export function respond(c: Context, body: BodyInit | null, status: number, headers: Record<string, string>): Response {
  const id = c.get('requestId') as string | undefined
  if (id) headers['X-Request-Id'] = id
  const res = new Response(body, { status, headers })
  stamped.add(res)
  return res
}

/** Has `respond` built this response (so it carries the request id)? */
export const hasRequestId = (res: Response) => stamped.has(res)
