/** Limits a deployment may tune (env vars in README: MAX_BODY_BYTES, ...). */
export interface Limits {
  maxBodyBytes: number
  maxEventBytes: number
  maxEventsPerAppend: number
  maxPageSize: number
  defaultPageSize: number
  /** how deep arrays and objects may nest in an event's data and metadata */
  maxDepth: number
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
}
