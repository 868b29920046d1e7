/**
 * A small Server-Sent Events client for tests: fetch + a text stream parser (WHATWG HTML
 * §9.2.6 "Interpreting an event stream"), no reconnection of its own.
 *
 * @example
 *   const sub = await openSse(`${base}/v1/subscribe?category=acc`)
 *   const events = await sub.take(10)
 *   sub.close()
 */
export interface SseMessage {
  id?: string
  event: string
  data: string
}

export interface OpenOptions {
  lastEventId?: string | number
  headers?: Record<string, string>
  /** how long the response's headers may take (a hung server fails the test, not hangs it) */
  timeoutMs?: number
}

export class SseClient {
  readonly status: number
  readonly headers: Headers
  /** every dispatched message, in order */
  readonly messages: SseMessage[] = []
  /** comment lines (heartbeats), without the leading colon */
  readonly comments: string[] = []
  /** `retry:` values seen */
  readonly retries: number[] = []
  /** resolves when the server ends the stream (or close() is called) */
  readonly ended: Promise<void>
  private readonly controller: AbortController
  private taken = 0
  private wake: (() => void) | undefined
  private done = false

  constructor(res: Response, controller: AbortController) {
    this.status = res.status
    this.headers = res.headers
    this.controller = controller
    this.ended = this.pump(res.body!)
  }

  /** The event messages parsed as JSON (the event as reads render it). */
  get events(): any[] {
    return this.messages.map((m) => JSON.parse(m.data))
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader()
    let buffer = ''
    let data: string[] = []
    let event = ''
    let id: string | undefined
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        buffer += value
        // Lines end with CRLF, LF or CR; keep a trailing partial line (and a lone CR that may precede LF).
        const lines = buffer.split(/\r\n|\n|\r(?!$)/)
        buffer = lines.pop()!
        for (const line of lines) {
          if (line === '') {
            if (data.length) {
              this.messages.push({ id, event: event || 'message', data: data.join('\n') })
              this.notify()
            }
            data = []
            event = ''
            continue
          }
          if (line.startsWith(':')) {
            this.comments.push(line.slice(1).trim())
            this.notify()
            continue
          }
          const colon = line.indexOf(':')
          const field = colon === -1 ? line : line.slice(0, colon)
          let value = colon === -1 ? '' : line.slice(colon + 1)
          if (value.startsWith(' ')) value = value.slice(1)
          if (field === 'data') data.push(value)
          else if (field === 'event') event = value
          else if (field === 'id') id = value
          else if (field === 'retry' && /^\d+$/.test(value)) this.retries.push(Number(value))
        }
      }
    } catch {
      // aborted by close(), or the connection was cut
    } finally {
      this.done = true
      this.notify()
    }
  }

  private notify() {
    const w = this.wake
    this.wake = undefined
    w?.()
  }

  /** Waits until `predicate()` holds, the stream ends, or `timeoutMs` passes (then throws). */
  async until(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!predicate()) {
      if (this.done) throw new Error(`SSE stream ended before ${what} (${this.messages.length} messages)`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.messages.length} messages)`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.wake = () => {
          clearTimeout(t)
          resolve()
        }
      })
    }
  }

  /** The next `n` event messages not yet taken, parsed as JSON. */
  async take(n: number, timeoutMs = 10_000): Promise<any[]> {
    const end = this.taken + n
    await this.until(() => this.messages.length >= end, timeoutMs, `${n} events`)
    const out = this.messages.slice(this.taken, end).map((m) => JSON.parse(m.data))
    this.taken = end
    return out
  }

  /** Aborts the request (the client disconnects). */
  close(): void {
    this.controller.abort()
  }
}

/** Opens `url` as an event stream; resolves once the response headers arrived. */
export async function openSse(url: string, opts: OpenOptions = {}): Promise<SseClient> {
  const controller = new AbortController()
  const headers: Record<string, string> = { accept: 'text/event-stream', ...opts.headers }
  if (opts.lastEventId !== undefined) headers['last-event-id'] = String(opts.lastEventId)
  const ms = opts.timeoutMs ?? 30_000
  const timer = setTimeout(() => controller.abort(new Error(`GET ${url}: no response headers in ${ms} ms`)), ms)
  const res = await fetch(url, { headers, signal: controller.signal }).finally(() => clearTimeout(timer))
  if (!res.ok) {
    const text = await res.text()
    throw Object.assign(new Error(`GET ${url} -> ${res.status} ${text}`), { status: res.status, body: text })
  }
  return new SseClient(res, controller)
}
