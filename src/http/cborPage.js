"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.encodeEventPage = encodeEventPage;
/**
 * Event pages for CBOR clients, written directly: each event's `data` and `metadata` are
 * stored as standard CBOR items already, so their bytes are copied into the response
 * instead of decoded and encoded again (RFC 8949 §3: a data item is self-delimiting, so a
 * stored item can stand wherever a value goes). Everything else is the same map a JSON
 * client gets, in the same key order as renderEvent.
 */
var utf8 = new TextEncoder();
var Writer = /** @class */ (function () {
    function Writer() {
        this.buf = new Uint8Array(4096);
        this.view = new DataView(this.buf.buffer);
        this.pos = 0;
    }
    Writer.prototype.room = function (n) {
        if (this.pos + n <= this.buf.length)
            return;
        var next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
        next.set(this.buf.subarray(0, this.pos));
        this.buf = next;
        this.view = new DataView(next.buffer);
    };
    /** Initial byte and argument of a data item (RFC 8949 §3). */
    Writer.prototype.head = function (major, n) {
        this.room(9);
        var m = major << 5;
        if (n < 24)
            this.buf[this.pos++] = m | n;
        else if (n < 0x100) {
            this.buf[this.pos++] = m | 24;
            this.buf[this.pos++] = n;
        }
        else if (n < 0x10000) {
            this.buf[this.pos++] = m | 25;
            this.buf[this.pos++] = n >> 8;
            this.buf[this.pos++] = n & 0xff;
        }
        else {
            // lengths and integers here stay below 2^32 (see int)
            this.buf[this.pos++] = m | 26;
            this.view.setUint32(this.pos, n);
            this.pos += 4;
        }
    };
    Writer.prototype.int = function (n) {
        if (n >= 0x100000000 || n < -0x100000000) {
            // beyond 32 bits, a float64 like cbor-x writes: decoders give a plain number, not a
            // 64-bit integer (BigInt in JavaScript), and positions stay exact up to 2^53
            this.room(9);
            this.buf[this.pos++] = 0xfb;
            this.view.setFloat64(this.pos, n);
            this.pos += 8;
        }
        else if (n >= 0)
            this.head(0, n);
        else
            this.head(1, -1 - n);
    };
    Writer.prototype.str = function (s) {
        // ids, types, stream names and times are ASCII: one byte per character
        var ascii = true;
        for (var i = 0; i < s.length && ascii; i++)
            ascii = s.charCodeAt(i) < 0x80;
        if (!ascii) {
            var bytes = utf8.encode(s);
            this.head(3, bytes.length);
            return this.raw(bytes);
        }
        this.head(3, s.length);
        this.room(s.length);
        for (var i = 0; i < s.length; i++)
            this.buf[this.pos++] = s.charCodeAt(i);
    };
    Writer.prototype.raw = function (bytes) {
        this.room(bytes.length);
        this.buf.set(bytes, this.pos);
        this.pos += bytes.length;
    };
    Writer.prototype.nil = function () {
        this.room(1);
        this.buf[this.pos++] = 0xf6;
    };
    Writer.prototype.done = function () {
        return this.buf.slice(0, this.pos);
    };
    return Writer;
}());
/** The event map's keys, encoded once: renderEvent's keys, in its order. */
var KEYS = (function () {
    var w = new Writer();
    var at = function (k) {
        var start = w.pos;
        w.str(k);
        return [start, w.pos];
    };
    var spans = ['id', 'stream', 'type', 'revision', 'position', 'time', 'data', 'metadata', 'tags'].map(at);
    var bytes = w.done();
    return spans.map(function (_a) {
        var a = _a[0], b = _a[1];
        return bytes.slice(a, b);
    });
})();
var K_ID = KEYS[0], K_STREAM = KEYS[1], K_TYPE = KEYS[2], K_REVISION = KEYS[3], K_POSITION = KEYS[4], K_TIME = KEYS[5], K_DATA = KEYS[6], K_METADATA = KEYS[7], K_TAGS = KEYS[8];
function writeEvent(w, e, time) {
    w.head(5, 9);
    w.raw(K_ID);
    w.str(e.id);
    w.raw(K_STREAM);
    if (e.stream === null)
        w.nil();
    else
        w.str(e.stream);
    w.raw(K_TYPE);
    w.str(e.type);
    w.raw(K_REVISION);
    if (e.revision === null)
        w.nil();
    else
        w.int(e.revision);
    w.raw(K_POSITION);
    w.int(e.position);
    w.raw(K_TIME);
    w.str(time);
    w.raw(K_DATA);
    if (e.data)
        w.raw(e.data);
    else
        w.nil();
    w.raw(K_METADATA);
    if (e.metadata)
        w.raw(e.metadata);
    else
        w.nil();
    w.raw(K_TAGS);
    w.head(4, e.tags.length);
    for (var _i = 0, _a = e.tags; _i < _a.length; _i++) {
        var t = _a[_i];
        w.str(t);
    }
}
/** A page `{ ...fields, events }` as CBOR; other field values go through the codec. */
function encodeEventPage(fields, events, codec) {
    var w = new Writer();
    var keys = Object.keys(fields);
    w.head(5, keys.length + 1);
    for (var _i = 0, keys_1 = keys; _i < keys_1.length; _i++) {
        var k = keys_1[_i];
        w.str(k);
        w.raw(codec.encode(fields[k]));
    }
    w.str('events');
    w.head(4, events.length);
    // events of one commit share a time: format it once per run
    var lastTime = NaN;
    var time = '';
    for (var _a = 0, events_1 = events; _a < events_1.length; _a++) {
        var e = events_1[_a];
        if (e.time !== lastTime)
            time = new Date((lastTime = e.time)).toISOString();
        writeEvent(w, e, time);
    }
    return w.done();
}
