/** Limits a deployment may tune (env vars in README: MAX_BODY_BYTES, ...). */
export interface Limits {
  maxBodyBytes: number
  maxEventBytes: number
  maxEventsPerAppend: number
  maxPageSize: number
  defaultPageSize: number
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxEventBytes: 256 * 1024,
  maxEventsPerAppend: 1000,
  maxPageSize: 1000,
  defaultPageSize: 100,
}
