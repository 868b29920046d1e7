import fc from 'fast-check'

/**
 * Runs `property` PROPERTY_RUNS times (default `runs`); PROPERTY_SEED replays a failure.
 * A failure is thrown as itself with its seed, not the whole (large) counterexample.
 */
export async function checkProperty<T>(property: fc.IAsyncPropertyWithHooks<T>, runs: number): Promise<void> {
  const result = await fc.check(property, {
    numRuns: Number(process.env.PROPERTY_RUNS ?? runs),
    endOnFailure: true,
    ...(process.env.PROPERTY_SEED ? { seed: Number(process.env.PROPERTY_SEED) } : {}),
  })
  if (result.failed) {
    const error = result.errorInstance as Error
    throw new Error(`after ${result.numRuns} runs (seed ${result.seed}): ${error?.message ?? error}`)
  }
}
