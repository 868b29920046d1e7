import type { Codec, StoredEvent } from '../../core/types.ts'
import { isoTime } from './isoTime.ts'
import { payloadJson } from './jsonValue.ts'

/**
 * A stored event as JSON text: renderEvent's keys in its order, payloads through
 * payloadJson (docs/api.md, "JSON rendering of CBOR values"). Written out: the hot path.
 */
export const eventJson = (e: StoredEvent, codec: Codec) =>
  `{"id":"${e.id}","stream":${JSON.stringify(e.stream)},"type":${JSON.stringify(e.type)},"revision":${e.revision},"position":${e.position},"time":"${isoTime(e.time)}","data":${payloadJson(e.data, codec)},"metadata":${payloadJson(e.metadata, codec)},"tags":${e.tags.length ? JSON.stringify(e.tags) : '[]'}${e.erased ? ',"erased":true' : ''}}`

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
