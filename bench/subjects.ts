// Crypto-shredding cost (issue 16): append and read throughput of events that name a data
// subject (AES-256-GCM per payload, a key per subject) against the same events without one,
// in process on a local file (durability normal), pages of 100.
// Run: npm run bench:subjects   (SUBJECT_EVENTS=20000, SUBJECTS=100)
import { freshLog } from './setup.ts'

const total = Number(process.env.SUBJECT_EVENTS ?? 20_000)
const subjectCount = Number(process.env.SUBJECTS ?? 100)
const BATCH = 100
const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))

async function run(withSubject: boolean) {
  const bench = await freshLog('normal', { ENCRYPTION_KEY: key })
  const { log } = bench
  const data = { name: 'Ada Lovelace', email: 'ada@example.com', street: '12 Analytical Row', amount: 1234.5 }
  let t = performance.now()
  for (let i = 0; i < total; i += BATCH) {
    const events = Array.from({ length: BATCH }, (_, k) => ({ type: 'Registered', data, tags: withSubject ? [`subject:p${(i + k) % subjectCount}`] : [`p:${(i + k) % subjectCount}`] }))
    await Promise.all(Array.from({ length: 4 }, (_, j) => log.appendToStream(`person-${(i / BATCH + j) % 50}`, 'any', events.slice(j * 25, j * 25 + 25))))
  }
  const appendRate = total / ((performance.now() - t) / 1000)
  t = performance.now()
  let from = 1
  let read = 0
  for (;;) {
    const page = await log.reader.readAll({ from, limit: BATCH })
    if (!page.length) break
    read += page.length
    from = page[page.length - 1].position + 1
  }
  const readRate = read / ((performance.now() - t) / 1000)
  await bench.close()
  return { appendRate, readRate }
}

const plain = await run(false)
const sealed = await run(true)
const f = (n: number) => Math.round(n).toLocaleString('en-US')
console.log(`| events (${total}, ${subjectCount} subjects, pages of ${BATCH}) | append events/s | read events/s |`)
console.log('|---|---|---|')
console.log(`| plain | ${f(plain.appendRate)} | ${f(plain.readRate)} |`)
console.log(`| subject-encrypted | ${f(sealed.appendRate)} (${(sealed.appendRate / plain.appendRate).toFixed(2)}x) | ${f(sealed.readRate)} (${(sealed.readRate / plain.readRate).toFixed(2)}x) |`)
