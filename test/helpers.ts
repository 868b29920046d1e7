import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/config.ts'
import type { LogLine } from '../src/http/deps.ts'
import { openLog } from '../src/logApp.ts'
import { codec } from '../src/store/codec.ts'
import { openStore, type OpenOptions } from '../src/store/node.ts'
import type { Store } from '../src/store/store.ts'

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix = 'edgelog-') {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * The log over `store` wired as the entries wire it (openLog: subjects, EventLog,
 * lifecycle) but with no retention timer. `env` is the configuration (loadConfig), e.g.
 * `{ ENCRYPTION_KEY, RETENTION_BATCH: '3' }`; logged lines go to `lines`.
 * `createApp(opened.deps)` is the entries' app without auth; `close()` closes the store too.
 */
export function openLogOn(store: Store, env: Record<string, string> = {}, lines: LogLine[] = []) {
  return openLog({ store, config: loadConfig(env), codec, logger: (l) => lines.push(l), retentionTimer: false })
}

/** A real store on a fresh libSQL file, with the log over it (openLogOn). */
export async function openTestLog(options: Partial<OpenOptions> = {}, env: Record<string, string> = {}) {
  const { dir, cleanup } = tempDir()
  const path = join(dir, 'edgelog.db')
  const url = `file:${path}`
  const store = await openStore({ url, ...options })
  const lines: LogLine[] = []
  const opened = await openLogOn(store, env, lines)
  return {
    url,
    path,
    dir,
    store,
    ...opened,
    lines,
    async close() {
      await opened.close()
      cleanup()
    },
  }
}

export const uuid = () => crypto.randomUUID()
