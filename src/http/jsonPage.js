"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.jsonPageStream = jsonPageStream;
var utf8 = new TextEncoder();
var CHUNK = 64 * 1024;
// Room kept for `],"next":…}` and the other fields after the events.
var TAIL_ROOM = 512;
/**
 * A JSON page `{"events":[…], ...fields}` as a byte stream, rendered an event at a time as
 * the runtime pulls (so a slow client holds back rendering instead of a page of strings
 * piling up). Stops before the bytes pass `maxBytes` (always one event); `fields` is called
 * with the events that made it, so `next` names the first one left out. Fields come after
 * the events because only then is it known where the page stopped (JSON objects are
 * unordered, RFC 8259 §4).
 */
function jsonPageStream(events, render, fields, maxBytes) {
    var budget = Math.max(0, maxBytes - TAIL_ROOM);
    var i = 0;
    var bytes = 0;
    var done = false;
    return new ReadableStream({
        pull: function (controller) {
            if (done)
                return;
            var chunk = new Uint8Array(CHUNK);
            var at = 0;
            var put = function (b) {
                if (at + b.length > CHUNK) {
                    if (at)
                        controller.enqueue(chunk.slice(0, at));
                    at = 0;
                    if (b.length > CHUNK)
                        return controller.enqueue(b);
                }
                chunk.set(b, at);
                at += b.length;
            };
            if (i === 0)
                put(utf8.encode('{"events":['));
            // One chunk's worth per pull: backpressure decides when the next is rendered.
            var full = false;
            while (i < events.length && at < CHUNK / 2) {
                var b = utf8.encode((i ? ',' : '') + render(events[i]));
                if (i > 0 && bytes + b.length > budget) {
                    full = true;
                    break;
                }
                bytes += b.length;
                put(b);
                i++;
            }
            if (full || i === events.length) {
                var tail = JSON.stringify(fields(i === events.length ? events : events.slice(0, i)));
                put(utf8.encode(tail === '{}' ? ']}' : "],".concat(tail.slice(1))));
                done = true;
            }
            if (at)
                controller.enqueue(chunk.slice(0, at));
            if (done)
                controller.close();
        },
    }, { highWaterMark: 0 });
}
