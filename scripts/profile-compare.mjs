#!/usr/bin/env node
// npm run profile:compare -- <dirA> <dirB>
// Throughput, latency, top functions and allocation sites of two `npm run profile` runs, side by side.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { compare, loadJson } from './profile-lib.mjs'

const [a, b] = process.argv.slice(2)
if (!a || !b) {
  console.error('usage: npm run profile:compare -- profiles/<A> profiles/<B>')
  process.exit(2)
}
for (const d of [a, b]) {
  if (!existsSync(join(d, 'profile.json'))) {
    console.error(`${d}: no profile.json (is it a folder written by npm run profile?)`)
    process.exit(2)
  }
}
console.log(compare(loadJson(join(a, 'profile.json')), loadJson(join(b, 'profile.json'))))
