import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEventLog } from '../src/core/eventLog.ts'
import { DEFAULT_LIMITS } from '../src/core/limits.ts'
import { codec } from '../src/store/codec.ts'
import { openStore, type OpenOptions } from '../src/store/node.ts'

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix = 'edgelog-') {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A real store on a fresh libSQL file, with the event log over it. */
export async function openTestLog(options: Partial<OpenOptions> = {}) {
  const { dir, cleanup } = tempDir()
  const url = `file:${join(dir, 'edgelog.db')}`
  const store = await openStore({ url, ...options })
  const log = createEventLog({ backend: store.backend, reader: store.reader, codec, limits: DEFAULT_LIMITS })
  return {
    url,
    dir,
    store,
    log,
    async close() {
      await log.close()
      await store.close()
      cleanup()
    },
  }
}

export const uuid = () => crypto.randomUUID()
