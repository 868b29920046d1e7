import type { ConsumerStore } from './consumers.ts'
import type { StoredEvent } from './types.ts'

/**
 * A named consumer's checkpoint kept by its subscription (SubscribeOptions.consumer): it
 * starts after the stored checkpoint and saves the last handled position every `every`
 * events and/or at most `everyMs` after a handled batch.
 */
export interface ConsumerOptions {
  store: ConsumerStore
  name: string
  /** start after the stored checkpoint when there is one (else at `from`); default true */
  resume?: boolean
  /** save every N handled events: batches are cut so that a save falls on the end of one */
  every?: number
  /** save at most this many ms after a handled batch (the subscription wakes at least this often) */
  everyMs?: number
}

/** Where a consumer resumes: after its checkpoint, or `from` when it has none. */
export async function resumeFrom(store: ConsumerStore, name: string, from: number): Promise<number> {
  const checkpoint = await store.get(name)
  return checkpoint ? checkpoint.position + 1 : from
}

export interface CheckpointedOptions {
  /** the first position `source` delivers */
  from: number
  consumer?: ConsumerOptions
  /** end after this many events */
  max?: number
  /** `source` ends once caught up: an end then is planned (and saved) */
  untilCaughtUp?: boolean
  /** true once the subscriptions are closed (shutdown): that end saves nothing more */
  closed: () => boolean
  /** called after each save (stats) */
  onSave: () => void
}

/**
 * Hands out `source`'s batches, at most `max` events in all, and saves the consumer's
 * checkpoint as they are handled. A batch counts as handled once the next one is asked
 * for (the body of a `for await` returned), so a checkpoint never runs ahead of what the
 * consumer took; one that stops early (`break`, a failed write) saves nothing more.
 * Empty batches (idle) pass through: they are when a timed save falls.
 */
export async function* checkpointed(source: AsyncIterable<StoredEvent[]>, opts: CheckpointedOptions): AsyncGenerator<StoredEvent[], void, undefined> {
  const { consumer } = opts
  const every = consumer?.every
  const everyMs = consumer?.everyMs
  let handled = opts.from - 1
  let saved = handled
  let sinceSave = 0
  let savedAt = Date.now()
  const save = async () => {
    if (!consumer || handled <= saved) return
    await consumer.store.save(consumer.name, handled, { relaxed: true })
    opts.onSave()
    saved = handled
    sinceSave = 0
    savedAt = Date.now()
  }

  let left = opts.max ?? Infinity
  for await (const whole of source) {
    if (!whole.length) yield whole
    const page = whole.length > left ? whole.slice(0, left) : whole
    left -= page.length
    // With `every`, hand out N events, then save.
    for (let i = 0; i < page.length; ) {
      const n = every ? Math.min(every - sinceSave, page.length - i) : page.length - i
      yield n === page.length ? page : page.slice(i, i + n)
      i += n
      handled = page[i - 1].position
      sinceSave += n
      if (every && sinceSave >= every) await save()
    }
    if (everyMs && Date.now() - savedAt >= everyMs) await save()
    if (left === 0) break
  }
  // A planned end (max, untilCaughtUp): everything was handled.
  if ((left === 0 || opts.untilCaughtUp) && !opts.closed() && (every || everyMs)) await save()
}
