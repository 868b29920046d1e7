// Remote semantics without a server: two writer processes, each with its own store
// (sharedWriters: heads read fresh, conditions checked in SQL), race on the same streams
// of one libSQL file. The database is the only guard: no revision twice, nothing lost.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createInterface } from 'node:readline'
import { openStore } from '../src/store/node.ts'
import { tempDir } from './helpers.ts'

type RacerReport = { acked: Array<{ id: string; stream: string; revision: number; position: number }>; conflicts: number; retries: number }

/** Starts a racer process; resolves once it has opened its store and waits for `go`. */
async function racer(url: string, name: string, appends: number, streams: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/store/racer.ts', url, name, String(appends), String(streams)], {
    env: { ...process.env, NODE_TEST_CONTEXT: undefined },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout! })
  const output: string[] = []
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => (line === 'ready' ? resolve() : output.push(line)))
    child.once('exit', (code) => reject(new Error(`racer ${name} exited with ${code} before it was ready`)))
  })
  const report = new Promise<RacerReport>((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(output.pop()!)) : reject(new Error(`racer ${name} exited with ${code}`)))))
  await ready
  return { go: () => child.stdin!.end('go\n'), report }
}

describe('store contract: two writer processes on one file', () => {
  it('race on the same streams: every acknowledged event stored once, revisions gapless, positions unique', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const url = `file:${join(dir, 'race.db')}`
      await (await openStore({ url })).close() // migrate once, before the race
      const racers = await Promise.all([racer(url, 'a', 100, 4), racer(url, 'b', 100, 4)])
      for (const r of racers) r.go()
      const [a, b] = await Promise.all(racers.map((r) => r.report))
      const acked = [...a.acked, ...b.acked]

      const store = await openStore({ url, sharedWriters: true, migrate: false })
      try {
        const stored = await store.reader.readAll({ from: 0, limit: 10_000 })
        assert.equal(stored.length, acked.length, 'nothing lost, nothing extra')
        const byId = new Map(stored.map((e) => [e.id, e]))
        for (const e of acked) {
          const s = byId.get(e.id)
          assert.ok(s, `acknowledged event ${e.id} is stored`)
          assert.deepEqual([s.stream, s.revision, s.position], [e.stream, e.revision, e.position], 'stored where its append said')
        }
        for (let i = 1; i < stored.length; i++) assert.ok(stored[i].position > stored[i - 1].position)
        // The two processes' commits interleave in the log: they did race.
        const writer = new Set(a.acked.map((e) => e.id))
        let switches = 0
        for (let i = 1; i < stored.length; i++) if (writer.has(stored[i].id) !== writer.has(stored[i - 1].id)) switches++
        assert.ok(switches >= 2, `commits of the two processes interleave (${switches} switches)`)
        if (process.env.EDGELOG_TEST_LOG === '1') console.log({ switches, conflicts: a.conflicts + b.conflicts, retries: a.retries + b.retries })
        for (let k = 0; k < 4; k++) {
          const events = await store.reader.readStream(`race-${k}`, { limit: 10_000, direction: 'forward' })
          assert.deepEqual(events.map((e) => e.revision), events.map((_, i) => i), `race-${k}: revisions 0..n-1, none twice`)
          // each append's two events are adjacent in its stream: appends never interleave
          for (let i = 0; i < events.length; i += 2) assert.equal(events[i + 1].position, events[i].position + 1)
        }
      } finally {
        await store.close()
      }
    } finally {
      cleanup()
    }
  })
})
