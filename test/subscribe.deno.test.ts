// Subscriptions (SSE, consumers, long poll) over HTTP against the deno entry (src/deno.ts).
import { subscribeSuite } from './subscribe/suite.ts'

subscribeSuite('deno')
