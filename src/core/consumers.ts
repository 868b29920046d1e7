import { EdgelogError } from './errors.ts'

/** A named consumer's checkpoint: the last position it has handled. */
export interface Checkpoint {
  name: string
  position: number
  /** epoch milliseconds of the last save that moved (or confirmed) it */
  updatedAt: number
}

/** Where checkpoints live. `save` never moves a checkpoint backwards (enforced in SQL). */
export interface ConsumerStore {
  get(name: string): Promise<Checkpoint | null>
  /**
   * Saves `position` unless the stored one is higher; returns what is stored afterwards.
   * `relaxed`: the save may skip its own fsync (a subscription's automatic checkpoints,
   * which a power loss may only move back: more redelivery, never a gap).
   */
  save(name: string, position: number, options?: { relaxed?: boolean }): Promise<Checkpoint>
}

/** Consumer names: the stream-name alphabet, 1..200 characters. */
export const CONSUMER_NAME = /^(?!\.\.?$)[A-Za-z0-9_.:@+=-]{1,200}$/

export const consumerNotFound = (name: string) =>
  new EdgelogError({ status: 404, kind: 'consumer-not-found', title: 'Consumer not found', detail: `Consumer '${name}' has no checkpoint; PUT one or subscribe with checkpointEvery.`, extensions: { consumer: name } })

/** A PUT below the stored checkpoint: checkpoints never move backwards. */
export const checkpointBehind = (name: string, requested: number, current: number) =>
  new EdgelogError({
    status: 409,
    kind: 'checkpoint-behind',
    title: 'Checkpoint would move backwards',
    detail: `Consumer '${name}' is at position ${current}; a checkpoint never moves backwards, so ${requested} was not saved.`,
    extensions: { consumer: name, position: current, requested },
  })
