import type { Codec, StoredEvent } from '../../core/types.ts'
import { isoTime } from './isoTime.ts'
import { payloadJson, withVerbatimText } from './jsonValue.ts'

const utf8 = new TextEncoder()

/**
 * A stored event as JSON text: renderEvent's keys in its order, payloads through
 * payloadJson (docs/api.md, "JSON rendering of CBOR values"). Written out: the hot path.
 */
export const eventJson = (e: StoredEvent, codec: Codec) =>
  `{"id":"${e.id}","stream":${JSON.stringify(e.stream)},"type":${JSON.stringify(e.type)},"revision":${e.revision},"position":${e.position},"time":"${isoTime(e.time)}","data":${payloadJson(e.data, codec)},"metadata":${payloadJson(e.metadata, codec)},"tags":${e.tags.length ? JSON.stringify(e.tags) : '[]'}${e.erased ? ',"erased":true' : ''}}`

/**
 * `prefix + eventJson(e, codec)` as UTF-8 bytes, in parts, for pages streamed an event at
 * a time: long ASCII texts in the payloads are the stored CBOR's own bytes (subarrays)
 * instead of decoded and encoded again (withVerbatimText). Joined, the parts are the bytes
 * of `utf8.encode(prefix + eventJson(e, codec))`.
 */
export function eventJsonParts(e: StoredEvent, codec: Codec, prefix = ''): Uint8Array[] {
  const { text, texts } = withVerbatimText(() => prefix + eventJson(e, codec))
  if (!texts.length) return [utf8.encode(text)]
  const parts: Uint8Array[] = []
  const around = text.split('\u0000')
  for (let i = 0; i < around.length; i++) {
    parts.push(utf8.encode(around[i]))
    if (i < texts.length) parts.push(texts[i])
  }
  return parts
}

/** A stored event as a value, payloads decoded by the codec (the CBOR page's shape; JSON readers get eventJson). */
export function renderEvent(e: StoredEvent, codec: Codec) {
  return {
    id: e.id,
    stream: e.stream,
    type: e.type,
    revision: e.revision,
    position: e.position,
    time: isoTime(e.time),
    data: e.data ? codec.decode(e.data) : null,
    metadata: e.metadata ? codec.decode(e.metadata) : null,
    tags: e.tags,
    ...(e.erased ? { erased: true } : {}),
  }
}
