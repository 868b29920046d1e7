import { bodyTooLarge } from '../core/errors.ts'
import { drainBody } from '../http/drain.ts'

/**
 * `request` with its body read to the end, at most `maxBytes` (more, or a Content-Length
 * over it, is thrown as the 413). For the Durable Object gateway: an object that answers a
 * request before reading its streamed body (a 415, 405, 406, 413, 404) left workerd unable
 * to finish that request, and the next requests to the object, other clients' too, failed
 * with "Your worker restarted mid-request" or hung (seen under wrangler dev). Over the
 * limit, the rest is read and dropped before the 413: left half read, the same happened.
 */
export async function withBodyRead(request: Request, maxBytes: number): Promise<Request> {
  if (request.body === null || request.method === 'GET' || request.method === 'HEAD') return request
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) throw bodyTooLarge(maxBytes)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await drainBody(reader)
      throw bodyTooLarge(maxBytes)
    }
    chunks.push(value)
  }
  const body = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    body.set(c, at)
    at += c.byteLength
  }
  // now a body of known length: the object's gate checks it by its Content-Length
  const headers = new Headers(request.headers)
  headers.delete('transfer-encoding')
  headers.set('content-length', String(size))
  return new Request(request, { body, headers })
}
