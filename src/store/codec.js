"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.codec = void 0;
exports.makeCodec = makeCodec;
// 'cbor-x/encode' is cbor-x's pure-JS build on every runtime: the main entry loads the
// native cbor-extract add-on on Node-compatible runtimes, and that add-on crashes Bun
// and Deno when decoding non-ASCII strings. The decoder probes for eval and falls back
// without it, so the same build runs on Workers.
var encode_1 = require("cbor-x/encode");
/**
 * Date/time tags (RFC 8949 §3.4.1/§3.4.2) kept as sent. cbor-x decodes both to a Date,
 * which it encodes back as tag 1: a tag 0 string would lose its text (and UTC offset) and
 * a tag 1 float would be rounded to milliseconds. Stored payloads keep the client's item.
 */
var DateTimeText = /** @class */ (function () {
    function DateTimeText(value) {
        this.value = value;
    }
    return DateTimeText;
}());
var EpochTime = /** @class */ (function () {
    function EpochTime(value) {
        this.value = value;
    }
    return EpochTime;
}());
var installed = new WeakSet();
/**
 * Standard CBOR (RFC 8949) for stored payloads: no cbor-x record extension (useRecords:
 * false) and byte strings without the typed-array tag, so any CBOR decoder reads them.
 * What a client's CBOR body decodes to is encoded back to an equivalent item: 64-bit
 * integers and bignums (BigInt), floats, byte strings, typed arrays and other tags.
 */
function makeCodec(cborx) {
    if (!installed.has(cborx.Encoder)) {
        installed.add(cborx.Encoder);
        var keep = function (Class, tag) {
            return cborx.addExtension({ Class: Class, tag: tag, encode: function (t, encode) { return encode(t.value); }, decode: function (v) { return new Class(v); } });
        };
        keep(DateTimeText, 0);
        keep(EpochTime, 1);
    }
    var cbor = new cborx.Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
    return {
        encode: function (value) { return cbor.encode(value); },
        decode: function (bytes) { return cbor.decode(bytes); },
    };
}
exports.codec = makeCodec({ Encoder: encode_1.Encoder, addExtension: encode_1.addExtension });
