import { EdgelogError, invalidRequest } from './errors.ts'
import { hex } from './hex.ts'
import type { AppendCommand, Codec, EventList, EventReader, ProposedEvent, StoredEvent } from './types.ts'

/**
 * Erasure by crypto-shredding (docs/api.md "Erasure"). An event tagged `subject:<id>` is
 * about that data subject: its data and metadata are stored AES-GCM encrypted (WebCrypto,
 * the same on every runtime) under a key of the subject's own, kept in `subject_keys`
 * wrapped by the master key (ENCRYPTION_KEY). Erasing the subject destroys its key: its
 * events keep their type, position, revision and tags, and their payloads read as null
 * with `erased: true`. Events without a subject are not touched (CBOR passthrough).
 */

export const SUBJECT_TAG = 'subject:'

/** A subject's key as stored: wrapped by the master key whose fingerprint is `kek`; null once erased. */
export interface StoredSubjectKey {
  subject: string
  wrapped: Uint8Array | null
  kek: string
}

export interface SubjectKeyStore {
  /** the stored keys of these subjects (absent: no key yet) */
  keys(subjects: string[]): Promise<Map<string, StoredSubjectKey>>
  /** stores `key` unless the subject has one already; returns the one that stands */
  create(key: StoredSubjectKey): Promise<StoredSubjectKey>
  /** destroys the key (overwrites it on disk); false when the subject had none */
  erase(subject: string, time: number): Promise<boolean>
  /** a few live keys, those not wrapped by `kek` first: to check the master key at start */
  sample(limit: number, kek: string): Promise<StoredSubjectKey[]>
  /** re-wraps one key (master key rotation) */
  rewrap(subject: string, wrapped: Uint8Array, kek: string): Promise<void>
}

const subtle = () => crypto.subtle
const bytes = (u: Uint8Array) => u as Uint8Array<ArrayBuffer>
const text = new TextEncoder()

export const subjectErased = (subject: string) =>
  new EdgelogError({ status: 410, kind: 'subject-erased', title: 'Subject erased', detail: `Subject '${subject}' was erased; its key is destroyed and no event can be written for it again.`, extensions: { subject } })

/** The subject an event names, if any (at most one). */
export function subjectOf(tags: string[], path = 'tags'): string | undefined {
  let found: string | undefined
  for (const t of tags) {
    if (!t.startsWith(SUBJECT_TAG)) continue
    const s = t.slice(SUBJECT_TAG.length)
    if (!s) throw invalidRequest(`${path}: a subject tag needs an id after "${SUBJECT_TAG}".`, [{ path, message: 'empty subject' }])
    if (found !== undefined && found !== s) throw invalidRequest(`${path}: an event names at most one data subject; got "${found}" and "${s}".`, [{ path, message: 'two subjects' }])
    found = s
  }
  return found
}

const tagged = (e: ProposedEvent) => e.tags.length > 0 && e.tags.some((t) => t.startsWith(SUBJECT_TAG))

/** Does any event of the append name a subject? (the append path asks it of every request: no allocation) */
export function namesSubject(c: AppendCommand): boolean {
  for (const s of c.streams) for (const e of s.events) if (tagged(e)) return true
  for (const e of c.events ?? []) if (tagged(e)) return true
  return false
}

/** A master key from ENCRYPTION_KEY (base64 of 32 bytes), with its fingerprint. */
export async function importMasterKey(base64: string): Promise<{ key: CryptoKey; kek: string }> {
  let raw: Uint8Array
  try {
    raw = Uint8Array.from(atob(base64.trim()), (c) => c.charCodeAt(0))
  } catch {
    throw new Error('ENCRYPTION_KEY must be base64 of 32 random bytes (e.g. `openssl rand -base64 32`)')
  }
  if (raw.length !== 32) throw new Error(`ENCRYPTION_KEY must be base64 of 32 bytes, got ${raw.length} bytes`)
  const digest = new Uint8Array(await subtle().digest('SHA-256', bytes(raw)))
  const kek = hex(digest.subarray(0, 8))
  return { key: await subtle().importKey('raw', bytes(raw), 'AES-GCM', false, ['encrypt', 'decrypt']), kek }
}

async function seal(key: CryptoKey, plain: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const ct = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: bytes(aad) }, key, bytes(plain)))
  const out = new Uint8Array(12 + ct.length)
  out.set(iv)
  out.set(ct, 12)
  return out
}
async function open(key: CryptoKey, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: bytes(sealed.subarray(0, 12)), additionalData: bytes(aad) }, key, bytes(sealed.subarray(12))))
}
const aadOf = (id: Uint8Array | string, field: string, subject: string) => text.encode(`${typeof id === 'string' ? id : hex(id)}\u0000${field}\u0000${subject}`)
const hexId = (id: string) => id.replace(/-/g, '')

export interface SubjectsOptions {
  store: SubjectKeyStore
  codec: Codec
  master: { key: CryptoKey; kek: string }
  /** the previous master key, while rotating: keys it wrapped are re-wrapped at start */
  previous?: { key: CryptoKey; kek: string }
}

/**
 * Sealing on append, opening on read, erasure. The stored payload is standard CBOR:
 * `{ "$sealed": 1, "subject": id, "box": bytes }` (box = 12-byte IV + AES-GCM ciphertext
 * and tag; the event id, field name and subject are its additional data).
 */
export function createSubjects(options: SubjectsOptions) {
  const { store, codec, master } = options
  // unwrapped keys by their wrapped bytes: a key read fresh from the database is the guard
  // (an erased key is gone there), this only skips repeated unwraps
  const unwrapped = new Map<string, CryptoKey>()
  const counts = { erased: 0, sealed: 0, erasedReads: 0 }
  // Appends sealed for a subject and not yet answered, and the subjects being erased. An
  // erasure waits for the appends sealed before it (they commit before its SubjectErased
  // event, and are erased with the rest); an append that comes while it waits is refused. A
  // sealed append committed after the key was destroyed got a 201 for a payload nobody could
  // read. (Within this process: other processes writing the same log are not seen.)
  const sealing = new Map<string, { count: number; idle: Array<() => void> }>()
  const erasing = new Set<string>()
  const hold = (subjects: string[]) => {
    for (const s of subjects) {
      const h = sealing.get(s)
      if (h) h.count++
      else sealing.set(s, { count: 1, idle: [] })
    }
    let held = true
    return () => {
      if (!held) return
      held = false
      for (const s of subjects) {
        const h = sealing.get(s)!
        if (--h.count > 0) continue
        sealing.delete(s)
        for (const resolve of h.idle) resolve()
      }
    }
  }
  const cacheKey = (w: Uint8Array) => Array.from(w, (b) => String.fromCharCode(b)).join('')

  async function unwrap(k: StoredSubjectKey, wrapping = master): Promise<CryptoKey> {
    const id = cacheKey(k.wrapped!)
    const cached = unwrapped.get(id)
    if (cached) return cached
    const raw = await open(wrapping.key, k.wrapped!, text.encode(`subject-key\u0000${k.subject}`))
    const key: CryptoKey = await subtle().importKey('raw', bytes(raw), 'AES-GCM', false, ['encrypt', 'decrypt'])
    raw.fill(0)
    if (unwrapped.size >= 10_000) unwrapped.delete(unwrapped.keys().next().value!)
    unwrapped.set(id, key)
    return key
  }

  async function newKey(subject: string): Promise<StoredSubjectKey> {
    const raw = crypto.getRandomValues(new Uint8Array(32))
    const wrapped = await seal(master.key, raw, text.encode(`subject-key\u0000${subject}`))
    raw.fill(0)
    return { subject, wrapped, kek: master.kek }
  }

  const isSealed = (v: unknown): v is { $sealed: number; subject: string; box: Uint8Array } =>
    typeof v === 'object' && v !== null && (v as { $sealed?: unknown }).$sealed === 1 && (v as { box?: unknown }).box instanceof Uint8Array

  async function openEvents<T extends StoredEvent[]>(events: T): Promise<T> {
    const subjects = new Set<string>()
    for (const e of events) {
      if ((e.data || e.metadata) && e.tags.length) {
        const s = subjectOf(e.tags)
        if (s !== undefined) subjects.add(s)
      }
    }
    if (!subjects.size) return events
    const keys = await store.keys([...subjects])
    // one page's events are opened concurrently: WebCrypto's async calls overlap
    await Promise.all(
      events.map(async (e, i) => {
        if (!(e.data || e.metadata) || !e.tags.length) return
        const s = subjectOf(e.tags)
        if (s === undefined) return
        const k = keys.get(s)
        const opened: StoredEvent = { ...e }
        if (!k?.wrapped) {
          opened.data = null
          opened.metadata = null
          opened.erased = true
          counts.erasedReads++
        } else {
          const key = await unwrap(k)
          for (const field of ['data', 'metadata'] as const) {
            const stored = e[field]
            if (!stored) continue
            const v = codec.decode(stored)
            if (isSealed(v)) opened[field] = await open(key, v.box, aadOf(hexId(e.id), field, s))
          }
        }
        events[i] = opened
      }),
    )
    return events
  }

  async function sealNamed(named: Array<{ e: ProposedEvent; s: string | undefined }>, subjects: string[]): Promise<void> {
    const keys = await store.keys(subjects)
    for (const s of subjects) {
      const k = keys.get(s)
      if (k && !k.wrapped) throw subjectErased(s)
      if (!k) keys.set(s, await store.create(await newKey(s)))
      if (!keys.get(s)!.wrapped) throw subjectErased(s)
    }
    await Promise.all(
      named.map(async ({ e, s }) => {
        const key = await unwrap(keys.get(s!)!)
        for (const field of ['data', 'metadata'] as const) {
          const plain = e[field]
          if (!plain) continue
          const box = await seal(key, plain, aadOf(e.idBytes, field, s!))
          const sealed = codec.encode({ $sealed: 1, subject: s, box })
          e.size += sealed.length - plain.length
          e[field] = sealed
        }
        counts.sealed++
      }),
    )
  }

  return {
    /**
     * Encrypts the payloads of events that name a subject (in place), creating its key on
     * first use. Resolves to a release, to call once the append is answered (committed or
     * not): until then an erasure of those subjects waits.
     */
    async sealEvents(events: ProposedEvent[]): Promise<() => void> {
      const named = events.map((e) => ({ e, s: e.tags.length ? subjectOf(e.tags) : undefined })).filter((x) => x.s !== undefined && (x.e.data || x.e.metadata))
      if (!named.length) return () => {}
      const subjects = [...new Set(named.map((x) => x.s!))]
      for (const s of subjects) if (erasing.has(s)) throw subjectErased(s)
      const release = hold(subjects)
      try {
        await sealNamed(named, subjects)
        return release
      } catch (e) {
        release()
        throw e
      }
    },

    openEvents,

    /** The reader with payloads opened (or erased) on every read route and subscription. */
    reader(inner: EventReader): EventReader {
      const wrap = async (p: Promise<EventList>) => {
        const list = await p
        const cut = list.cut
        const opened = (await openEvents(list)) as EventList
        if (cut) opened.cut = cut
        return opened
      }
      return {
        ...inner,
        readStream: (s, o) => wrap(inner.readStream(s, o)),
        readAll: (o) => wrap(inner.readAll(o)),
        readCategory: (c, o) => wrap(inner.readCategory(c, o)),
        async query(items, o) {
          const page = await inner.query(items, o)
          return { ...page, events: await wrap(Promise.resolve(page.events)) }
        },
      }
    },

    /** Destroys the subject's key, once the appends sealed for it before are answered; appends meanwhile are refused (410). */
    async erase(subject: string, time: number): Promise<boolean> {
      erasing.add(subject)
      try {
        const h = sealing.get(subject)
        if (h) await new Promise<void>((resolve) => h.idle.push(resolve))
        const done = await store.erase(subject, time)
        if (done) counts.erased++
        return done
      } finally {
        erasing.delete(subject)
      }
    },

    /** for /metrics */
    stats: () => ({ ...counts }),

    /**
     * At start: the master key must unwrap the stored keys (a wrong ENCRYPTION_KEY is a
     * clear error, not unreadable events later); keys wrapped by `previous` are re-wrapped.
     */
    async verify(): Promise<{ rewrapped: number }> {
      let rewrapped = 0
      for (;;) {
        const sample = await store.sample(100, master.kek)
        const stale = sample.filter((k) => k.kek !== master.kek)
        for (const k of sample.filter((k) => k.kek === master.kek).slice(0, 3)) {
          try {
            await unwrap(k)
          } catch {
            throw new Error(`ENCRYPTION_KEY does not unwrap the stored key of subject '${k.subject}'; set the key the subject keys were wrapped with (fingerprint ${k.kek})`)
          }
        }
        if (!stale.length) return { rewrapped }
        for (const k of stale) {
          if (!options.previous || options.previous.kek !== k.kek) {
            throw new Error(`ENCRYPTION_KEY does not unwrap the stored subject keys: they are wrapped by master key ${k.kek}, ENCRYPTION_KEY is ${master.kek}${options.previous ? ` and ENCRYPTION_KEY_PREVIOUS ${options.previous.kek}` : ''}. Set ENCRYPTION_KEY to the key they were wrapped with, or, to rotate, ENCRYPTION_KEY_PREVIOUS to it`)
          }
          const raw = await open(options.previous.key, k.wrapped!, text.encode(`subject-key\u0000${k.subject}`))
          const wrapped = await seal(master.key, raw, text.encode(`subject-key\u0000${k.subject}`))
          raw.fill(0)
          await store.rewrap(k.subject, wrapped, master.kek)
          rewrapped++
        }
      }
    },
  }
}

export type Subjects = ReturnType<typeof createSubjects>

/**
 * The subjects service for a store, from ENCRYPTION_KEY (and ENCRYPTION_KEY_PREVIOUS while
 * rotating), checked against the stored keys; undefined without a key (and no stored keys).
 */
export async function openSubjects(store: SubjectKeyStore, codec: Codec, key: string | undefined, previous: string | undefined): Promise<Subjects | undefined> {
  if (!key) {
    if ((await store.sample(1, '')).length) throw new Error('the database holds data subjects\' keys but ENCRYPTION_KEY is not set: set the key they were wrapped with')
    return undefined
  }
  const subjects = createSubjects({ store, codec, master: await importMasterKey(key), previous: previous ? await importMasterKey(previous) : undefined })
  await subjects.verify()
  return subjects
}
