import { EdgelogError } from '../core/errors.ts'
import type { Lifecycle } from '../core/lifecycle.ts'

/**
 * The retention pass on Workers, where no timer outlives a request: a cron trigger's
 * `scheduled` event (STORE=d1 / libsql) or each Durable Object's alarm (STORE=do) runs a
 * few bounded steps (RETENTION_BATCH events each).
 */

/** Steps one scheduled event or alarm runs at most. */
export const STEPS_PER_RUN = 20

/** Runs retention steps until one reports done or `steps` ran; true when nothing more is due. */
export async function retentionSteps(lifecycle: Lifecycle, steps = STEPS_PER_RUN): Promise<boolean> {
  for (let i = 0; i < steps; i++) if ((await lifecycle.runRetention()).done) return true
  return false
}

/**
 * A Durable Object's retention alarm (https://developers.cloudflare.com/durable-objects/api/alarms/):
 * armed `intervalMs` ahead while the object has a retention policy, at once while a step
 * ended at its budget or a delete/truncate left rows to remove. One alarm per object:
 * setAlarm replaces it, so it is moved only earlier.
 */
export function retentionAlarm(storage: DurableObjectStorage, lifecycle: Lifecycle, intervalMs: number) {
  async function arm(delayMs: number): Promise<void> {
    const at = Date.now() + delayMs
    const current = await storage.getAlarm()
    if (current !== null && current <= at) return
    if (delayMs > 0 && !(await lifecycle.listRetention()).length) return
    await storage.setAlarm(at)
  }
  return {
    arm,
    /** The lifecycle with a new or changed policy arming the alarm. */
    lifecycle: {
      ...lifecycle,
      putRetention: async (p: Parameters<Lifecycle['putRetention']>[0]) => {
        await lifecycle.putRetention(p)
        await arm(intervalMs)
      },
    } satisfies Lifecycle,
    /** The object's alarm() handler: a few steps, then the next alarm. */
    async alarm(): Promise<void> {
      const done = await retentionSteps(lifecycle)
      await arm(done ? intervalMs : 0)
    },
  }
}

/** The answer to every request of a Worker or object that could not start (a wrong ENCRYPTION_KEY): what to fix. */
export function startFailed(request: Request, e: unknown): Response {
  const err = new EdgelogError({ status: 500, kind: 'start-failed', title: 'Cannot start', detail: `edgelog cannot start: ${String((e as Error)?.message ?? e)}` })
  const body = { type: err.type, title: err.title, status: err.status, detail: err.message, instance: new URL(request.url).pathname }
  return new Response(JSON.stringify(body), { status: 500, headers: { 'Content-Type': 'application/problem+json' } })
}
