import type { Context } from 'hono'
import { matchedRoutes } from 'hono/route'
import { TrieRouter } from 'hono/router/trie-router'
import { EdgelogError } from '../core/errors.ts'

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

/** Does a route (not only middleware, whose method is ALL) answer this request's method at its path? */
export const routed = (c: Context): boolean => matchedRoutes(c).some((r) => r.method !== 'ALL')

/**
 * What a request no route answers gets: a 405 with Allow (RFC 9110 §15.5.6) when the path
 * is a route of other methods (`PUT /v1/streams/x`, `POST /v1/all`), else a 404. `routes`:
 * the app's routes (Hono's `app.routes`), read on the first such request, when all are added.
 */
export function unrouted(routes: { method: string; path: string }[]) {
  let router: TrieRouter<string> | undefined
  const allowedAt = (path: string): string[] => {
    if (!router) {
      router = new TrieRouter<string>()
      for (const r of routes) if (r.method !== 'ALL') router.add(r.method, r.path, r.method)
    }
    // Hono answers HEAD with the GET route
    return METHODS.filter((m) => router!.match(m === 'HEAD' ? 'GET' : m, path)[0].length > 0)
  }
  return (c: Context): EdgelogError => {
    const { method, path } = c.req
    const allowed = allowedAt(path)
    if (!allowed.length) return new EdgelogError({ status: 404, kind: 'not-found', title: 'Not found', detail: `No route for ${method} ${path}.` })
    return new EdgelogError({
      status: 405,
      kind: 'method-not-allowed',
      title: 'Method not allowed',
      detail: `${path} does not answer ${method}; it answers ${allowed.join(', ')}.`,
      headers: { Allow: allowed.join(', ') },
    })
  }
}
