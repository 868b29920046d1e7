// Subscriptions (SSE, consumers, long poll) over HTTP against the node entry (src/node.ts).
import { subscribeSuite } from './subscribe/suite.ts'

subscribeSuite('node')
