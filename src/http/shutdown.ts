/**
 * A graceful stop bounded by a deadline, the same on Node, Bun and Deno (docs/api.md#shutdown).
 *
 * A runtime's graceful close waits for every connection, and a client can keep one open
 * forever: a request whose body never arrives (Node stops enforcing its header and request
 * timeouts once `server.close()` is called), or keep-alive clients that keep sending. So
 * waiting for clients ends at the deadline; what is queued for the writer commits either way.
 */
import type { LogLine } from './deps.ts'

/** What a runtime's HTTP server offers for the stop. */
export interface Listener {
  /** Stop accepting and close idle connections; resolves once every connection has closed. */
  close(): Promise<void>
  /** Force-close the connections still open at the deadline. */
  closeAll(): void | Promise<void>
}

export interface ShutdownOptions {
  /** how long clients get to finish (SHUTDOWN_TIMEOUT_MS) */
  timeoutMs: number
  /** end open SSE streams and long polls: they never end by themselves */
  endSubscriptions(): void
  /** drain the writer (every queued append committed or refused), then close the database */
  close(): Promise<void>
  log(line: LogLine): void
}

/** Resolves `true` when `work` settles within `ms`, `false` otherwise. */
function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  return Promise.race([work.then(() => true), late]).finally(() => clearTimeout(timer))
}

/**
 * `stop(listener)` runs the sequence once and resolves the exit code: 0 when the writer
 * drained and the database closed, 1 when they did not within another `timeoutMs`.
 * Every request goes through `serve`, so answers given while stopping close their
 * connection and `idle()` knows when no handler runs.
 */
export function createShutdown(options: ShutdownOptions) {
  const { timeoutMs, log } = options
  let stopping = false
  let done: Promise<number> | undefined
  let inFlight = 0
  let idleWaiters: Array<() => void> = []
  const finished = () => {
    if (--inFlight > 0 || !idleWaiters.length) return
    for (const wake of idleWaiters) wake()
    idleWaiters = []
  }
  /** RFC 9112 §9.6: `Connection: close` tells a keep-alive client this is the last answer. */
  const closing = (response: Response): Response => {
    if (!stopping) return response
    try {
      response.headers.set('Connection', 'close')
      return response
    } catch {
      // immutable headers (a Response from fetch): copy it
      const copy = new Response(response.body, response)
      copy.headers.set('Connection', 'close')
      return copy
    }
  }

  const run = async (listener: Listener): Promise<number> => {
    stopping = true
    log({ level: 'info', msg: `shutting down: not accepting, open requests have ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS)` })
    options.endSubscriptions()
    const drained = await within(listener.close().catch(() => {}), timeoutMs)
    if (!drained) log({ level: 'info', msg: `shutdown: connections still open after ${timeoutMs} ms; closing them once the writer has drained` })
    let code = 0
    try {
      // Appends queued by then commit (and are answered if their client is still there);
      // the writer refuses new ones with a 503. An acknowledged append is already committed.
      if (!(await within(options.close(), timeoutMs))) {
        log({ level: 'error', msg: `shutdown: the writer or the database did not close within ${timeoutMs} ms; exiting` })
        code = 1
      }
    } catch (err) {
      log({ level: 'error', msg: 'shutdown: closing the database failed', error: String((err as Error)?.stack ?? err) })
      code = 1
    }
    if (!drained) await listener.closeAll()
    if (code === 0) log({ level: 'info', msg: 'edgelog stopped: queue drained, database closed' })
    return code
  }

  return {
    get stopping() {
      return stopping
    },
    stop: (listener: Listener): Promise<number> => (done ??= run(listener)),
    /**
     * Runs one request's handler, counting it in flight; once stopping, its answer carries
     * `Connection: close`. (The app itself answers requests that begin after the signal
     * with a 503: AppDeps.stopping.)
     */
    serve(handle: () => Response | Promise<Response>): Response | Promise<Response> {
      inFlight++
      let response: Response | Promise<Response>
      try {
        response = handle()
      } catch (err) {
        finished()
        throw err
      }
      if (!(response instanceof Promise)) {
        finished()
        return closing(response)
      }
      return response.then(
        (r) => (finished(), closing(r)),
        (err) => {
          finished()
          throw err
        },
      )
    },
    /** Resolves once no request handler is running (SSE bodies may still stream). */
    idle(): Promise<void> {
      return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))
    },
  }
}
