// Subscriptions (SSE, consumers, long poll) over HTTP against the bun entry (src/bun.ts).
import { subscribeSuite } from './subscribe/suite.ts'

subscribeSuite('bun')
