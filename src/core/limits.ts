/** Limits a deployment may tune (env vars in README: MAX_BODY_BYTES, ...). */
export interface Limits {
  maxBodyBytes: number
  maxEventBytes: number
  maxEventsPerAppend: number
  maxPageSize: number
  defaultPageSize: number
  /** how deep arrays and objects may nest in an event's data and metadata */
  maxDepth: number
  /** a page's byte budget (MAX_PAGE_BYTES): reads, long polls and SSE batches stop before it, always one event */
  maxPageBytes: number
  /** open subscriptions and waiting long polls per process (MAX_SUBSCRIPTIONS); beyond it a 503 */
  maxSubscriptions: number
}

/**
 * The most MAX_DEPTH may be: cbor-x encodes and decodes recursively, and runs out of stack
 * at ~1,800 levels on Node (measured); this leaves room for the frames around it.
 */
export const MAX_DEPTH_CEILING = 512

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxEventBytes: 256 * 1024,
  maxEventsPerAppend: 1000,
  maxPageSize: 1000,
  defaultPageSize: 100,
  maxDepth: 64,
  // 4 MiB: 16 events of the largest size (MAX_EVENT_BYTES), well under a remote libSQL
  // server's 10 MB response limit, and what a page costs in memory while it is rendered.
  maxPageBytes: 4 * 1024 * 1024,
  // Sized from `npm run bench:fanout` (docs/subscriptions.md#limits): an idle subscriber
  // costs a few KB, so 10,000 is tens of MB, and appends keep their pace with that many live.
  maxSubscriptions: 10_000,
}
