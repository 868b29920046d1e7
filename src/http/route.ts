import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ZodType } from 'zod'
import { invalidRequest, malformedBody } from '../core/errors.ts'
import type { Env } from './media.ts'
import { issuesOf } from './problem.ts'

/** A shortcut for one request part: the value its schema would give, or undefined to ask the schema. */
export type Fast = (value: Record<string, string | string[]>) => unknown

type Target = 'param' | 'query' | 'header' | 'json'

// @hono/zod-openapi's and Hono's own media type tests, so the same requests pass the gate.
const isJsonContentType = (t: string) => /^application\/([a-z-.]+\+)?json/i.test(t)
const JSON_REQUEST = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i
const HONO_JSON = /^application\/([\w.-]+\+)?json$/i
const essence = (t: string) => t.split(';')[0].trim().toLowerCase()

/**
 * `app.openapi(route, handler)` with the same OpenAPI entry (the route's zod schemas) and
 * the same checks, errors and validated data (`c.req.valid(...)`), in one synchronous
 * middleware instead of a validator chain per part (each async, with safeParseAsync): the
 * hot routes (appends, stream reads, heads, /v1/all). `fast` answers a part without zod
 * when it is plainly valid; anything else goes through the schema, for its exact error.
 */
export function openapiRoute<R extends RouteConfig>(
  app: OpenAPIHono<Env>,
  route: R,
  handler: RouteHandler<R, Env>,
  fast: { param?: Fast; query?: Fast; header?: Fast; json?: (body: unknown) => unknown } = {},
): void {
  const { middleware, hide: _hide, ...documented } = route as R & { hide?: boolean }
  app.openAPIRegistry.registerPath(documented as RouteConfig)
  const request = route.request ?? {}
  const params = request.params as ZodType | undefined
  const query = request.query as ZodType | undefined
  const headers = request.headers as ZodType | undefined
  const content = request.body?.content as Record<string, { schema?: ZodType }> | undefined
  const jsonSchema = content?.['application/json']?.schema
  const types = content ? Object.keys(content) : []
  const headerNames = headers && 'shape' in headers ? Object.keys((headers as unknown as { shape: Record<string, unknown> }).shape) : []

  const check = (c: Context<Env>, target: Target, schema: ZodType, value: unknown, shortcut?: (value: never) => unknown) => {
    let data = shortcut?.(value as never)
    if (data === undefined) {
      const result = schema.safeParse(value)
      // as the app's defaultHook (app.ts)
      if (!result.success) throw invalidRequest('The request is invalid; see errors for what to fix.', issuesOf(result.error))
      data = result.data
    }
    c.req.addValidatedData(target, data as object)
  }
  // Hono's value per part: every query key (repeated keys as arrays), the path params, the headers
  const queryValue = (c: Context<Env>) => {
    const out: Record<string, string | string[]> = {}
    for (const [k, v] of Object.entries(c.req.queries())) out[k] = v.length === 1 ? v[0] : v
    return out
  }
  const headerValue = (c: Context<Env>) => {
    const out: Record<string, string> = {}
    for (const k of headerNames) {
      const v = c.req.header(k)
      if (v !== undefined) out[k] = v
    }
    return out
  }

  // the path, query and header parts: synchronous
  const checkParts = (c: Context<Env>) => {
    if (query) check(c, 'query', query, c.req.url.includes('?') ? queryValue(c) : {}, fast.query)
    if (params) check(c, 'param', params, c.req.param(), fast.param)
    if (headers) check(c, 'header', headers, headerValue(c), fast.header)
  }
  const checkBody = async (c: Context<Env>) => {
    const type = c.req.header('content-type')
    if (type) {
      const declared = types.some((t) => (isJsonContentType(t) ? JSON_REQUEST.test(type) : essence(type) === t.toLowerCase()))
      if (!declared) throw new HTTPException(415, { message: 'Unsupported Media Type' })
    } else if (c.req.raw.body !== null && (!c.req.raw.bodyUsed || (await c.req.arrayBuffer()).byteLength > 0)) {
      throw new HTTPException(415, { message: 'Unsupported Media Type' })
    }
    if (jsonSchema && type && isJsonContentType(type)) {
      let value: unknown = {}
      if (HONO_JSON.test(essence(type))) {
        try {
          // the text strictJsonBody decoded (media.ts): one decode, one parse
          value = JSON.parse(await c.req.text())
        } catch {
          throw malformedBody('The JSON body cannot be parsed; send a valid JSON document.')
        }
      }
      check(c, 'json', jsonSchema, value, fast.json)
    } else c.req.addValidatedData('json', {})
  }
  const run = handler as unknown as MiddlewareHandler<Env>
  // The checks and the handler in one step of Hono's middleware chain.
  const validated: MiddlewareHandler<Env> = content
    ? async (c, next) => {
        checkParts(c)
        await checkBody(c)
        return run(c, next)
      }
    : (c, next) => {
        checkParts(c)
        return run(c, next)
      }
  const before = middleware ? (Array.isArray(middleware) ? middleware : [middleware]) : []
  app.on([route.method], [route.path.replaceAll(/\/{(.+?)}/g, '/:$1')], ...(before as MiddlewareHandler<Env>[]), validated)
}
