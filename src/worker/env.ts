import type { D1Binding } from '../store/d1.ts'

/** The Worker's bindings (wrangler.toml) and secrets. */
export type WorkerEnv = Record<string, string | undefined> & {
  /** "do": a Durable Object per tenant (LOGS); "d1": the D1 database DB; "libsql": DATABASE_URL */
  STORE?: 'do' | 'd1' | 'libsql'
  DB?: D1Binding
  LOGS?: DurableObjectNamespace
}
