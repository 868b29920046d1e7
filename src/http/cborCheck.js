"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.cborBodyProblem = cborBodyProblem;
var ARRAY = 0;
var MAP = 1;
var TAG = 2;
var strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
var looseUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
function isUtf8(bytes, start, end) {
    var i = start;
    while (i < end && bytes[i] < 0x80)
        i++;
    if (i === end)
        return true;
    try {
        strictUtf8.decode(bytes.subarray(i, end));
        return true;
    }
    catch (_a) {
        return false;
    }
}
/**
 * One pass over a CBOR request body (RFC 8949 §3) before cbor-x decodes it, for what the
 * decoder would let through or fail on with a 500:
 * - text strings must be valid UTF-8 (§3.1, RFC 3629; ED A0 80, an encoded surrogate, is
 *   not): cbor-x replaces bad bytes with U+FFFD, which would store other text than was sent;
 * - tags 28/29 (shareable/sharedref, IANA CBOR tags) decode to shared or cyclic objects;
 * - arrays, maps and tags nest at most `maxDepth` levels: cbor-x decodes recursively.
 * Iterative, allocation-free on the common path. Malformed input is left to the decoder,
 * which reports it. Paths are as in validation errors (`events.0.data.k`).
 */
function cborBodyProblem(bytes, maxDepth) {
    var stack = [];
    var n = bytes.length;
    var pos = 0;
    var path = function () {
        var p = [];
        for (var _i = 0, stack_1 = stack; _i < stack_1.length; _i++) {
            var f = stack_1[_i];
            if (f.kind === ARRAY)
                p.push(f.items);
            else if (f.kind === MAP && f.items % 2 === 1)
                p.push(f.keyStart < 0 ? '(key)' : looseUtf8.decode(bytes.subarray(f.keyStart, f.keyEnd)));
        }
        return p;
    };
    /** An item ended: count it in its container, and end the containers it completes. */
    var itemDone = function () {
        for (var top = stack[stack.length - 1]; top; top = stack[stack.length - 1]) {
            if (++top.items < top.length)
                return false;
            stack.pop();
        }
        return true; // the body's top-level item is complete
    };
    while (pos < n) {
        var initial = bytes[pos++];
        var major = initial >> 5;
        var info = initial & 31;
        var top = stack[stack.length - 1];
        var atKey = (top === null || top === void 0 ? void 0 : top.kind) === MAP && top.items % 2 === 0;
        if (initial === 0xff) {
            // "break" ends an indefinite-length array or map
            if (!top || top.length !== Infinity || top.kind === TAG || (top.kind === MAP && !atKey))
                return undefined;
            stack.pop();
            if (itemDone())
                return undefined;
            continue;
        }
        if (atKey)
            top.keyStart = -1;
        var arg = info;
        if (info >= 24 && info <= 27) {
            var size = 1 << (info - 24);
            if (pos + size > n)
                return undefined;
            arg = 0;
            for (var i = 0; i < size; i++)
                arg = arg * 256 + bytes[pos + i];
            pos += size;
        }
        else if (info === 31 && (major === 4 || major === 5))
            arg = Infinity;
        else if (info >= 24)
            return undefined; // reserved, or an indefinite string (cbor-x refuses those)
        if (major === 2 || major === 3) {
            if (arg > n - pos)
                return undefined;
            if (major === 3) {
                if (!isUtf8(bytes, pos, pos + arg)) {
                    return { path: path(), message: atKey ? 'has a map key that is not valid UTF-8 text' : 'is a CBOR text string that is not valid UTF-8' };
                }
                if (atKey) {
                    top.keyStart = pos;
                    top.keyEnd = pos + arg;
                }
            }
            pos += arg;
            if (itemDone())
                return undefined;
        }
        else if (major === 4 || major === 5 || major === 6) {
            if (major === 6 && (arg === 28 || arg === 29)) {
                return { path: path(), message: "is a CBOR shared value or reference (tag ".concat(arg, "): send the value itself where it appears") };
            }
            if (stack.length >= maxDepth) {
                return { path: path(), message: "nests deeper than ".concat(maxDepth, " levels of arrays, maps and tags (data and metadata may nest MAX_DEPTH levels)") };
            }
            var length = major === 4 ? arg : major === 5 ? arg * 2 : 1;
            if (length === 0) {
                if (itemDone())
                    return undefined;
            }
            else
                stack.push({ kind: major === 4 ? ARRAY : major === 5 ? MAP : TAG, length: length, items: 0, keyStart: -1, keyEnd: -1 });
        }
        else if (itemDone())
            return undefined; // integers, simple values, floats
    }
    return undefined;
}
