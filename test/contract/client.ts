/**
 * Helpers the contract tests share, bound to one server: requests, reads that follow
 * `next`, and the "nothing was written" check that brackets a request with marker events.
 */
import assert from 'node:assert/strict'
import { call, expectProblem, expectStatus, newEvent, show, uniqueStream, type CallOptions } from './http.ts'
import { MAX_PAGE_SIZE } from './limits.ts'

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

export type ContractClient = ReturnType<typeof contractClient>

/** `problem.errors` is a non-empty list of issues with a path, one of which mentions `pathFragment`. */
export function assertInvalidRequestErrors(problem: any, pathFragment: string): void {
  assert.ok(Array.isArray(problem.errors) && problem.errors.length > 0, `errors[] missing: ${JSON.stringify(problem)}`)
  assert.ok(problem.errors.every((e: any) => 'path' in e), `every error needs a path: ${JSON.stringify(problem)}`)
  assert.ok(
    problem.errors.some((e: any) => JSON.stringify(e.path).includes(pathFragment)),
    `no error points at ${pathFragment}: ${JSON.stringify(problem.errors)}`,
  )
}

export function contractClient(getBaseUrl: () => string) {
  const req = (method: string, path: string, opts?: CallOptions) => call(getBaseUrl(), method, path, opts)
  const get = (path: string, opts?: CallOptions) => req('GET', path, opts)
  const streamPath = (stream: string) => `/v1/streams/${encodeURIComponent(stream)}`

  /** POST /v1/streams/:stream with `{ events, expectedRevision? }`. */
  const append = (stream: string, events: unknown[], expectedRevision?: unknown, opts: CallOptions = {}) =>
    req('POST', streamPath(stream), {
      json: expectedRevision === undefined ? { events } : { events, expectedRevision },
      ...opts,
    })

  /** Append and require a 201; returns the append result. */
  const appendOk = async (stream: string, events: unknown[], expectedRevision?: unknown) =>
    expectStatus(await append(stream, events, expectedRevision), 201)

  const head = (stream: string) => get(`${streamPath(stream)}/head`)

  /** The stream's head must be `revision` (or the stream must not exist when null). */
  const expectHead = async (stream: string, revision: number | null, position?: number) => {
    const reply = await head(stream)
    if (revision === null) {
      expectProblem(reply, 404, 'stream-not-found')
      return
    }
    const body = expectStatus(reply, 200)
    assert.equal(body.stream, stream)
    assert.equal(body.revision, revision, show(reply))
    if (position !== undefined) assert.equal(body.position, position, show(reply))
  }

  /** Every event of a stream, forward, following `next`. */
  const readStream = async (stream: string, query = ''): Promise<any[]> => {
    const events: any[] = []
    let from: number | null = 0
    for (let guard = 0; from !== null; guard++) {
      assert.ok(guard < 1000, 'stream paging does not end')
      const page = expectStatus(await get(`${streamPath(stream)}?from=${from}&limit=${MAX_PAGE_SIZE}${query}`), 200)
      events.push(...page.events)
      from = page.next
    }
    return events
  }

  /** Follow `next` through a position-paged feed (/v1/all, categories) until an empty page. */
  const readFeed = async (path: string, from: number, limit: number): Promise<any[]> => {
    const sep = path.includes('?') ? '&' : '?'
    const events: any[] = []
    for (let guard = 0; ; guard++) {
      assert.ok(guard < 10_000, 'feed paging does not end')
      const reply = await get(`${path}${sep}from=${from}&limit=${limit}`)
      const page = expectStatus(reply, 200)
      assert.ok(page.events.length <= limit, `page longer than limit: ${show(reply)}`)
      if (page.events.length === 0) {
        assert.equal(page.next, from, `empty page must answer next = from: ${show(reply)}`)
        return events
      }
      const last = page.events[page.events.length - 1].position
      assert.equal(page.next, last + 1, `next must be last position + 1: ${show(reply)}`)
      events.push(...page.events)
      from = page.next
    }
  }

  /**
   * Write a marker event to a stream of its own and return its position. With
   * `assertNothingWrittenSince`, proves a rejected request left the global log untouched.
   */
  const mark = async (): Promise<number> => {
    const result = await appendOk(uniqueStream('mark'), [newEvent('Mark')])
    return result.lastPosition
  }
  const assertNothingWrittenSince = async (position: number) => {
    const after = await mark()
    const page = expectStatus(await get(`/v1/all?from=${position + 1}&limit=10`), 200)
    assert.deepEqual(
      page.events.map((e: any) => e.position),
      [after],
      `something was written between markers ${position} and ${after}: ${JSON.stringify(page.events)}`,
    )
  }

  /** Send a bad append to a fresh stream: expect the problem, and no write anywhere. */
  const rejectsAppend = async (status: number, kind: string, opts: CallOptions, stream = uniqueStream('bad')) => {
    const before = await mark()
    const reply = await req('POST', streamPath(stream), opts)
    const problem = expectProblem(reply, status, kind)
    await assertNothingWrittenSince(before)
    return problem
  }

  return { req, get, streamPath, append, appendOk, head, expectHead, readStream, readFeed, mark, assertNothingWrittenSince, rejectsAppend }
}
