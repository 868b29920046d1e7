import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { EdgelogError } from '../src/core/errors.ts'
import type { AppendCommand, AppendResult, CommitBackend, ProposedEvent } from '../src/core/types.ts'
import { GroupCommitWriter } from '../src/core/groupCommitWriter.ts'

const event = (size = 10): ProposedEvent => ({
  id: crypto.randomUUID(), idBytes: new Uint8Array(16), clientId: false, type: 'T', data: null, metadata: null, tags: [], size,
})
const command = (n: number, size = 10): AppendCommand => ({
  streams: [{ stream: 's', expected: 'any', events: Array.from({ length: n }, () => event(size)) }],
})

/** Records each group it is given; lets a test hold a commit open and wait for one to start. */
function recordingBackend() {
  const groups: AppendCommand[][] = []
  let gate: Promise<void> = Promise.resolve()
  let open: () => void = () => {}
  let position = 0
  let waiters: Array<{ n: number; resolve: () => void }> = []
  const backend: CommitBackend = {
    async commitGroup(commands) {
      groups.push(commands)
      for (const w of waiters) if (groups.length >= w.n) w.resolve()
      waiters = waiters.filter((w) => groups.length < w.n)
      await gate
      return commands.map((c): AppendResult => {
        const n = c.streams.reduce((a, s) => a + s.events.length, 0)
        position += n
        return { streams: [], events: [], position, replayed: false }
      })
    },
  }
  return {
    backend,
    groups,
    /** Holds the next commit open (until release); groupStarted tells when it has begun. */
    hold(): void {
      gate = new Promise((r) => (open = r))
    },
    release: () => open(),
    /** Resolves once the writer has handed the backend group number `n` (1-based). */
    groupStarted(n: number): Promise<void> {
      if (groups.length >= n) return Promise.resolve()
      return new Promise<void>((resolve) => waiters.push({ n, resolve }))
    },
  }
}

for (const mode of [{ continueFromWaiter: false }, { continueFromWaiter: true }]) {
  describe(`GroupCommitWriter, continueFromWaiter: ${mode.continueFromWaiter}`, () => {
    it('coalesces requests that queue during a commit into one group', async () => {
      const b = recordingBackend()
      const w = new GroupCommitWriter(b.backend, { ...mode, maxBatchEvents: 1000, maxBatchBytes: 1e9, maxQueueEvents: 1e6 })
      b.hold()
      const first = w.append(command(1))
      await b.groupStarted(1) // the first group is now committing
      const rest = Array.from({ length: 20 }, () => w.append(command(1)))
      b.release()
      await Promise.all([first, ...rest])
      assert.equal(b.groups.length, 2)
      assert.equal(b.groups[0].length, 1)
      assert.equal(b.groups[1].length, 20)
    })

    it('respects maxBatchEvents without splitting a request', async () => {
      const b = recordingBackend()
      const w = new GroupCommitWriter(b.backend, { ...mode, maxBatchEvents: 5, maxBatchBytes: 1e9, maxQueueEvents: 1e6 })
      const all = [2, 2, 1, 3, 7, 1].map((n) => w.append(command(n)))
      await Promise.all(all)
      // groups fill up to 5 events; a 7-event request is over the limit alone and commits whole
      const sizes = b.groups.map((g) => g.map((c) => c.streams[0].events.length))
      assert.deepEqual(sizes, [[2, 2, 1], [3], [7], [1]])
    })

    it('answers 503 with Retry-After when the queue is full, without queueing', async () => {
      const b = recordingBackend()
      const w = new GroupCommitWriter(b.backend, { ...mode, maxBatchEvents: 1000, maxBatchBytes: 1e9, maxQueueEvents: 10 })
      b.hold()
      const inFlight = w.append(command(1))
      await b.groupStarted(1)
      const queued = w.append(command(8))
      await assert.rejects(w.append(command(5)), (e: unknown) => e instanceof EdgelogError && e.status === 503 && e.headers['Retry-After'] === '1')
      b.release()
      await Promise.all([inFlight, queued])
      assert.equal(b.groups.flat().length, 2)
    })

    it('fails every request of a group whose commit throws, and keeps serving', async () => {
      let fail = true
      const w = new GroupCommitWriter(
        {
          async commitGroup(commands) {
            if (fail) throw new Error('disk I/O error')
            return commands.map(() => ({ streams: [], events: [], position: 1, replayed: false }))
          },
        },
        { ...mode, maxBatchEvents: 1000, maxBatchBytes: 1e9, maxQueueEvents: 1e6 },
      )
      // a database fault is a retryable 503 for the client; the cause stays for the log
      await assert.rejects(w.append(command(1)), (e: unknown) =>
        e instanceof EdgelogError && e.status === 503 && /disk I\/O error/.test(String(e.cause)))
      fail = false
      assert.equal((await w.append(command(1))).position, 1)
    })

    it('close() commits what is queued, then refuses new appends', async () => {
      const b = recordingBackend()
      const w = new GroupCommitWriter(b.backend, { ...mode, maxBatchEvents: 1000, maxBatchBytes: 1e9, maxQueueEvents: 1e6 })
      b.hold()
      const pending = [w.append(command(1)), w.append(command(1))]
      const closed = w.close()
      await assert.rejects(w.append(command(1)), (e: unknown) => e instanceof EdgelogError && e.status === 503)
      b.release()
      await closed
      await Promise.all(pending)
      assert.equal(b.groups.flat().length, 2)
    })

    it('notifies commit listeners with the last committed position', async () => {
      const b = recordingBackend()
      const w = new GroupCommitWriter(b.backend, { ...mode, maxBatchEvents: 1000, maxBatchBytes: 1e9, maxQueueEvents: 1e6 })
      const seen: number[] = []
      w.onCommit((p) => seen.push(p))
      await Promise.all([w.append(command(2)), w.append(command(3))])
      assert.equal(seen[seen.length - 1], 5)
    })
  })
}
