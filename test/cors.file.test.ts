// CORS as a setting: off unless CORS_ORIGINS is set; preflights pass before auth. (The
// contract suite checks CORS over HTTP on every runtime, with CORS_ORIGINS set.)
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { loadConfig } from '../src/config.ts'
import { createApp } from '../src/http/app.ts'
import { openTestLog } from './helpers.ts'

describe('CORS setting', () => {
  let t: Awaited<ReturnType<typeof openTestLog>>
  before(async () => {
    t = await openTestLog()
  })
  after(async () => {
    await t.close()
  })
  const preflight = { method: 'OPTIONS', headers: { origin: 'http://page.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } }

  it('is off by default: no CORS headers, a preflight is no success', async () => {
    assert.deepEqual(loadConfig({}).corsOrigins, [])
    const app = createApp({ ...t.deps, corsOrigins: loadConfig({}).corsOrigins })
    const get = await app.request('/v1/all', { headers: { origin: 'http://page.test' } })
    assert.equal(get.status, 200)
    assert.equal(get.headers.get('access-control-allow-origin'), null)
    const pre = await app.request('/v1/streams/a-1', preflight)
    assert.ok(pre.status >= 400, `preflight answered ${pre.status}`)
    assert.equal(pre.headers.get('access-control-allow-origin'), null)
  })

  it('a preflight needs no token; the 401 of a tokenless request is readable by the page', async () => {
    const app = createApp({ ...t.deps, auth: { tokens: ['rw'], readTokens: [] }, corsOrigins: ['http://page.test'] })
    const pre = await app.request('/v1/streams/a-1', preflight)
    assert.equal(pre.status, 204)
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://page.test')
    const denied = await app.request('/v1/all', { headers: { origin: 'http://page.test' } })
    assert.equal(denied.status, 401)
    assert.equal(denied.headers.get('access-control-allow-origin'), 'http://page.test')
  })

  it('CORS_ORIGINS=* allows any origin', async () => {
    const app = createApp({ ...t.deps, corsOrigins: loadConfig({ CORS_ORIGINS: '*' }).corsOrigins })
    const res = await app.request('/openapi.json', { headers: { origin: 'http://anything.test' } })
    assert.equal(res.headers.get('access-control-allow-origin'), '*')
  })

  it('CORS_ORIGINS rejects what is not an origin', () => {
    assert.deepEqual(loadConfig({ CORS_ORIGINS: 'https://a.test, http://b.test:8080' }).corsOrigins, ['https://a.test', 'http://b.test:8080'])
    assert.throws(() => loadConfig({ CORS_ORIGINS: 'https://a.test/' }), /CORS_ORIGINS/)
    assert.throws(() => loadConfig({ CORS_ORIGINS: 'a.test' }), /CORS_ORIGINS/)
  })
})
