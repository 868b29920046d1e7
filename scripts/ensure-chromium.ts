/**
 * Headless-browser tests need Debian's chromium at /usr/bin/chromium. CI starts from a bare
 * machine as root: install it with apt once when it is missing; never download a browser
 * any other way. `node --import tsx scripts/ensure-chromium.ts` prints the path.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export const CHROMIUM = '/usr/bin/chromium'

/** The chromium executable, installed with apt-get when missing. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('sh', ['-c', 'apt-get update && apt-get install -y --no-install-recommends chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env })
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing`)
  return CHROMIUM
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureChromium())
