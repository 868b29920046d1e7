/**
 * What is read and dropped of a body over MAX_BODY_BYTES before the 413 (as @hono/node-server
 * drains a request its handler left unread): beyond either bound the connection is cut.
 */
const DRAIN_BYTES = 64 * 2 ** 20
const DRAIN_MS = 1_000

/**
 * Reads and drops the rest of a body, at most DRAIN_BYTES for DRAIN_MS, then cancels it;
 * `pending`: a read already under way on `reader`, awaited first.
 */
export async function drainBody(reader: ReadableStreamDefaultReader<Uint8Array>, pending?: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), DRAIN_MS)))
  try {
    // its chunk is dropped too; a stream it ended ends the loop below at once
    if (pending) await Promise.race([pending, deadline])
    for (let bytes = 0; bytes <= DRAIN_BYTES; ) {
      const chunk = await Promise.race([reader.read(), deadline])
      if (chunk === 'late' || chunk.done) break
      bytes += chunk.value.length
    }
  } catch {
    // the client went away: nothing to answer
  } finally {
    clearTimeout(timer)
    reader.cancel().catch(() => {})
  }
}
