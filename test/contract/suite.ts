/**
 * The black-box HTTP contract of docs/api.md, run over fetch against a live server.
 * One suite, every runtime: see test/contract.{node,bun,deno}.test.ts.
 *
 * Each test writes to streams (and categories) of its own, but the "nothing was
 * written" checks read the global log, so the tests of one server must run one at a
 * time (node:test does, within a file).
 */
import { describe } from 'node:test'
import { badInputTests } from './badInput.ts'
import { contractClient } from './client.ts'
import { clientLibTests } from './clientLib.ts'
import { corsTests } from './cors.ts'
import { lifecycleTests } from './lifecycle.ts'
import { protocolTests } from './protocol.ts'
import { readTests } from './reads.ts'
import { valueTests } from './values.ts'
import { writeTests } from './writes.ts'

export function contractSuite(name: string, getBaseUrl: () => string): void {
  const client = contractClient(getBaseUrl)
  describe(`HTTP contract (${name})`, () => {
    writeTests(client)
    readTests(client)
    protocolTests(client)
    badInputTests(client, { largeChunkedBodies: !name.startsWith('worker'), miniflareResets: name.startsWith('worker') })
    valueTests(client, getBaseUrl)
    corsTests(client)
    clientLibTests(getBaseUrl)
    lifecycleTests(client, getBaseUrl)
  })
}
