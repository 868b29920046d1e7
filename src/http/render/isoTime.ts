// Events of one commit share their time: one ISO string per distinct commit time, for
// every renderer (JSON and CBOR pages, SSE messages).
let lastTime = NaN
let lastIso = ''

/** An event's time (epoch ms) as an ISO 8601 string, formatted once per run of equal times. */
export const isoTime = (time: number): string => (time === lastTime ? lastIso : ((lastTime = time), (lastIso = new Date(time).toISOString())))
