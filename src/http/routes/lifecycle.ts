import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { asPreconditionFailed, EdgelogError, lifecycleNotConfigured, retentionNotFound, streamNotFound } from '../../core/errors.ts'
import { streamDeleted, streamTombstoned, type Lifecycle, type RemovalResult, type RetentionScope } from '../../core/lifecycle.ts'
import type { ExpectedRevision } from '../../core/expectedRevision.ts'
import type { StreamHead } from '../../core/types.ts'
import type { AppDeps } from '../deps.ts'
import { bodyOf, cborBody, send, type Env } from '../media.ts'
import * as S from '../schemas.ts'
import { expectedFrom } from './streams.ts'
import { bodyContent, jsonAndCbor, problems, V1, WRITE } from '../openapi.ts'

const StreamParam = z.object({ stream: S.StreamName.openapi({ param: { name: 'stream', in: 'path' } }) })
const CategoryParam = z.object({ category: S.CategoryName.openapi({ param: { name: 'category', in: 'path' }, example: 'account' }) })

/** `?expectedRevision=7` (or any, no_stream, stream_exists) beside If-Match, as on appends. */
const ExpectedQuery = z
  .string()
  .transform((s) => (/^\d{1,15}$/.test(s) ? Number(s) : s))
  .pipe(S.ExpectedRevision)
  .optional()

const Removal = z
  .object({
    stream: z.string(),
    mode: z.enum(['soft', 'hard', 'truncate']),
    removed: z.number().int().openapi({ description: 'events this call removed' }),
    floor: z.number().int().openapi({ description: 'the first revision still readable' }),
    revision: z.number().int().openapi({ description: 'the head revision; later appends continue after it (-1: none)' }),
  })
  .openapi('Removal')

const TruncateBody = z
  .strictObject({
    before: z.number({ error: 'before is required (a revision: the events below it are removed)' }).int().min(0),
    expectedRevision: S.ExpectedRevision.optional(),
  })
  .openapi('Truncate')

const positive = (what: string) => z.number({ error: `${what} is a positive integer or null` }).int().min(1).max(Number.MAX_SAFE_INTEGER).nullable().optional()
const PolicyBody = z
  .strictObject({
    maxAge: positive('maxAge').openapi({ description: 'milliseconds: older events are removed' }),
    maxCount: positive('maxCount').openapi({ description: "a stream's latest events kept (for a category: per stream)" }),
  })
  .refine((b) => b.maxAge != null || b.maxCount != null, { message: 'set maxAge, maxCount or both (DELETE removes the policy)' })
  .openapi('RetentionPolicyIn')
const PolicyOut = z
  .object({ scope: z.enum(['stream', 'category']), name: z.string(), maxAge: z.number().int().nullable(), maxCount: z.number().int().nullable() })
  .openapi('RetentionPolicy')

const SubjectId = z.string().regex(/^(?!\.\.?$)[A-Za-z0-9_.:@+=-]{1,200}$/, 'a subject id is 1-200 characters from A-Z a-z 0-9 _ . : @ + = -, not . or ..')
const RunBody = z.strictObject({}).openapi('RetentionRun')


/** Data lifecycle: delete and truncate streams, retention policies and the pass (docs/api.md). */
export function registerLifecycleRoutes(app: OpenAPIHono<Env>, deps: AppDeps) {
  const { codec } = deps.log
  // Events a subscription read before a removal committed are dropped when handed out (core/removals.ts).
  deps.lifecycle?.onFloor((stream, floor) => deps.log.removals.removed(stream, floor))
  const lc = (): Lifecycle => deps.lifecycle ?? (() => { throw lifecycleNotConfigured() })()
  const removal = (c: Parameters<typeof send>[0], r: RemovalResult) => send(c, codec, 200, r, r.revision >= 0 ? { ETag: `"${r.revision}"` } : {})
  const conditional = async (ifMatch: string | undefined, ifNoneMatch: string | undefined, body: ExpectedRevision | undefined, run: (e: ExpectedRevision) => Promise<RemovalResult>) => {
    const { expected, fromHeader } = expectedFrom(ifMatch, ifNoneMatch, body)
    try {
      return await run(expected)
    } catch (e) {
      throw fromHeader ? asPreconditionFailed(e) : e
    }
  }

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/streams/{stream}',
      operationId: 'deleteStream',
      summary: 'Delete a stream (soft, or hard with ?hard=true)',
      description: 'Soft: its events are removed; an append recreates it and revisions continue. Hard: a tombstone, never written or read again (410).',
      request: {
        params: StreamParam,
        query: z.object({ hard: z.enum(['true', 'false'], { error: 'hard is true or false' }).optional(), expectedRevision: ExpectedQuery }),
        headers: z.object({ 'if-match': z.string().optional(), 'if-none-match': z.string().optional() }),
      },
      responses: { 200: { description: 'Deleted', content: jsonAndCbor(Removal) }, ...problems(400, 404, 409, 410, 412, ...WRITE) },
    }),
    async (c) => {
      const { stream } = c.req.valid('param')
      const q = c.req.valid('query')
      const r = await conditional(c.req.header('if-match'), c.req.header('if-none-match'), q.expectedRevision, (e) => lc().deleteStream(stream, q.hard === 'true', e))
      return removal(c, r)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/streams/{stream}/truncate',
      operationId: 'truncateStream',
      summary: 'Remove the events of a stream below a revision',
      middleware: [cborBody(TruncateBody, codec)] as const,
      request: {
        params: StreamParam,
        headers: z.object({ 'if-match': z.string().optional(), 'if-none-match': z.string().optional() }),
        body: bodyContent(TruncateBody),
      },
      responses: { 200: { description: 'Truncated', content: jsonAndCbor(Removal) }, ...problems(400, 404, 409, 410, 412, ...WRITE) },
    }),
    async (c) => {
      const { stream } = c.req.valid('param')
      const body = bodyOf(c, () => c.req.valid('json'))
      const r = await conditional(c.req.header('if-match'), c.req.header('if-none-match'), body.expectedRevision, (e) => lc().truncate(stream, body.before, e))
      return removal(c, r)
    },
  )

  const policyRoutes = (scope: RetentionScope, segment: string, Param: typeof StreamParam | typeof CategoryParam, key: 'stream' | 'category') => {
    const path = `/v1/retention/${segment}/{${key}}`
    const Scope = scope === 'stream' ? 'Stream' : 'Category'
    const nameOf = (p: Record<string, string>) => p[key]
    const out = (p: { scope: RetentionScope; name: string; maxAgeMs: number | null; maxCount: number | null }) => ({ scope: p.scope, name: p.name, maxAge: p.maxAgeMs, maxCount: p.maxCount })
    app.openapi(
      createRoute({ method: 'get', path, operationId: `get${Scope}Retention`, summary: `The retention policy of a ${scope}`, request: { params: Param }, responses: { 200: { description: 'The policy', content: jsonAndCbor(PolicyOut) }, ...problems(400, 404, ...V1) } }),
      async (c) => {
        const name = nameOf(c.req.valid('param') as Record<string, string>)
        const p = await lc().getRetention(scope, name)
        if (!p) throw retentionNotFound(scope, name)
        return send(c, codec, 200, out(p))
      },
    )
    app.openapi(
      createRoute({
        method: 'put',
        path,
        operationId: `set${Scope}Retention`,
        summary: `Set the retention policy of a ${scope}`,
        middleware: [cborBody(PolicyBody, codec)] as const,
        request: { params: Param, body: bodyContent(PolicyBody) },
        responses: { 200: { description: 'The policy now', content: jsonAndCbor(PolicyOut) }, ...problems(400, ...WRITE) },
      }),
      async (c) => {
        const name = nameOf(c.req.valid('param') as Record<string, string>)
        const body = bodyOf(c, () => c.req.valid('json'))
        const p = { scope, name, maxAgeMs: body.maxAge ?? null, maxCount: body.maxCount ?? null }
        await lc().putRetention(p)
        return send(c, codec, 200, out(p))
      },
    )
    app.openapi(
      createRoute({ method: 'delete', path, operationId: `remove${Scope}Retention`, summary: `Remove the retention policy of a ${scope}`, request: { params: Param }, responses: { 204: { description: 'Removed' }, ...problems(400, 404, ...WRITE) } }),
      async (c) => {
        const name = nameOf(c.req.valid('param') as Record<string, string>)
        if (!(await lc().deleteRetention(scope, name))) throw retentionNotFound(scope, name)
        return c.body(null, 204)
      },
    )
  }
  policyRoutes('stream', 'streams', StreamParam, 'stream')
  policyRoutes('category', 'categories', CategoryParam, 'category')

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/retention/run',
      operationId: 'runRetention',
      summary: 'Run one bounded step of the retention pass now',
      description: 'Removes at most one batch of events past their policies, then frees pages. `done: false`: more is due; call again. Body: `{}`.',
      middleware: [cborBody(RunBody, codec)] as const,
      request: { body: bodyContent(RunBody) },
      responses: {
        200: {
          description: 'What the step did',
          content: jsonAndCbor(z.object({ removed: z.number().int(), reclaimed: z.number().int().openapi({ description: 'rows of earlier deletes and truncations (hidden since) deleted by this step' }), done: z.boolean(), pages: z.object({ before: z.number().int(), after: z.number().int(), free: z.number().int() }).nullable() }).openapi('RetentionStep')),
        },
        ...problems(400, ...WRITE),
      },
    }),
    async (c) => {
      bodyOf(c, () => c.req.valid('json'))
      return send(c, codec, 200, await lc().runRetention())
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/subjects/{subject}',
      operationId: 'eraseSubject',
      summary: "Erase a data subject: destroy its key (crypto-shredding)",
      description: 'Events tagged subject:<id> then read with data and metadata null and erased: true; a SubjectErased event records the erasure.',
      request: { params: z.object({ subject: SubjectId.openapi({ param: { name: 'subject', in: 'path' } }) }) },
      responses: { 200: { description: 'Erased', content: jsonAndCbor(z.object({ subject: z.string(), erased: z.literal(true), position: z.number().int() }).openapi('Erasure')) }, ...problems(400, 404, 501, ...WRITE) },
    }),
    async (c) => {
      const { subject } = c.req.valid('param')
      const subjects = deps.subjects ?? (() => { throw new EdgelogError({ status: 501, kind: 'encryption-not-configured', title: 'Encryption not configured', detail: 'This server has no ENCRYPTION_KEY: no event names a data subject, nothing to erase.' }) })()
      const erased = await subjects.erase(subject, Date.now())
      if (erased) deps.log.removals.erased(subject)
      if (!erased) {
        throw new EdgelogError({ status: 404, kind: 'subject-not-found', title: 'Subject not found', detail: `Subject '${subject}' has no key: no event named it, or it was erased already.`, extensions: { subject } })
      }
      // The erasure is in the log: a stream-less event (not about the subject: not sealed).
      const record = await deps.log.append({ streams: [], events: [{ type: 'SubjectErased', data: { subject }, tags: [`erased:${subject}`] }] })
      return send(c, codec, 200, { subject, erased: true, position: record.position })
    },
  )

  app.openapi(
    createRoute({ method: 'get', path: '/v1/retention', operationId: 'listRetention', summary: 'Every retention policy', responses: { 200: { description: 'The policies', content: jsonAndCbor(z.object({ policies: z.array(PolicyOut) })) }, ...problems(...V1) } }),
    async (c) => {
      const policies = (await lc().listRetention()).map((p) => ({ scope: p.scope, name: p.name, maxAge: p.maxAgeMs, maxCount: p.maxCount }))
      return send(c, codec, 200, { policies })
    },
  )
}

/**
 * A stream read found no events: a stream deleted (404 stream-deleted), tombstoned (410),
 * truncated to nothing (its head still stands), or one that never existed (404).
 */
export async function headOfEmpty(deps: AppDeps, stream: string): Promise<StreamHead> {
  const s = await deps.lifecycle?.state(stream)
  if (s?.hard) throw streamTombstoned(stream)
  if (s?.deleted) throw streamDeleted(stream, s.revision)
  if (!s || s.revision < 0) throw streamNotFound(stream)
  return { stream, revision: s.revision, position: s.position }
}
