import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/config.ts'
import type { LogLine } from '../src/http/app.ts'
import { openLog } from '../src/logApp.ts'
import { codec } from '../src/store/codec.ts'
import { openStore, type OpenOptions } from '../src/store/node.ts'

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix = 'edgelog-') {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * A real store on a fresh libSQL file, with the log wired as the entries wire it
 * (openLog: subjects, EventLog, lifecycle) but no retention timer. `env` is the
 * configuration (loadConfig), e.g. `{ ENCRYPTION_KEY, RETENTION_BATCH: '3' }`; the logged
 * lines are kept in `lines`. `createApp(t.deps)` is the entries' app without auth.
 */
export async function openTestLog(options: Partial<OpenOptions> = {}, env: Record<string, string> = {}) {
  const { dir, cleanup } = tempDir()
  const path = join(dir, 'edgelog.db')
  const url = `file:${path}`
  const store = await openStore({ url, ...options })
  const lines: LogLine[] = []
  const opened = await openLog({ store, config: loadConfig(env), codec, logger: (l) => lines.push(l), retentionTimer: false })
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
