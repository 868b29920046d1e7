"use strict";
/**
 * What every reader can read back: text that is well-formed Unicode, names without control
 * characters, and payloads of bounded depth. Checked before anything is encoded or queued.
 */
var __spreadArray = (this && this.__spreadArray) || function (to, from, pack) {
    if (pack || arguments.length === 2) for (var i = 0, l = from.length, ar; i < l; i++) {
        if (ar || !(i in from)) {
            if (!ar) ar = Array.prototype.slice.call(from, 0, i);
            ar[i] = from[i];
        }
    }
    return to.concat(ar || Array.prototype.slice.call(from));
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.unicodeProblem = unicodeProblem;
exports.nameProblem = nameProblem;
exports.valueProblem = valueProblem;
// In a `u` regex a paired surrogate is one code point, so \p{Cs} matches only lone halves.
var LONE_SURROGATE = /\p{Cs}/u;
// Unicode category Cc: C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F).
var CONTROL = /\p{Cc}/u;
var hex = function (s, index) { return "U+".concat(s.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0')); };
/**
 * Why a string is not valid Unicode text, or undefined. A lone UTF-16 surrogate (JSON
 * `"\ud800"`) has no UTF-8 form (RFC 3629 §3): stored, it would be invalid CBOR text.
 */
function unicodeProblem(s) {
    var m = LONE_SURROGATE.exec(s);
    return m ? "is not valid Unicode: it holds a lone UTF-16 surrogate (".concat(hex(s, m.index), " at index ").concat(m.index, ")") : undefined;
}
/** As `unicodeProblem`, and names (types, tags) may not hold control characters either. */
function nameProblem(s) {
    var bad = unicodeProblem(s);
    if (bad)
        return bad;
    var m = CONTROL.exec(s);
    return m ? "may not hold control characters (U+0000-U+001F, U+007F-U+009F): ".concat(hex(s, m.index), " at index ").concat(m.index) : undefined;
}
var pathOf = function (frame) {
    var path = [];
    for (var f = frame; f === null || f === void 0 ? void 0 : f.parent; f = f.parent)
        path.push(f.key);
    return path.reverse();
};
/**
 * The first reason `value` (an event's data or metadata) cannot be stored, or undefined:
 * a string or object key that is not valid Unicode, or arrays and objects nested more
 * than `maxDepth` levels (`[[1]]` is 2; a cyclic value is infinitely deep). Iterative, so
 * a body of tens of thousands of levels costs a loop, not the stack.
 */
function valueProblem(value, maxDepth) {
    var root = { value: value, depth: 0, key: '', parent: undefined };
    var stack = [];
    // Strings are checked where they are met; containers wait on the stack (last child first).
    var visit = function (child, key, parent, depth) {
        if (typeof child === 'string') {
            var bad = unicodeProblem(child);
            return bad ? { path: parent ? __spreadArray(__spreadArray([], pathOf(parent), true), [key], false) : [], message: bad } : undefined;
        }
        if (child !== null && typeof child === 'object' && !ArrayBuffer.isView(child) && !(child instanceof ArrayBuffer) && !(child instanceof Date)) {
            stack.push(parent ? { value: child, depth: depth, key: key, parent: parent } : root);
        }
        return undefined;
    };
    var problem = visit(value, '', undefined, 0);
    while (!problem && stack.length) {
        var frame = stack.pop();
        var v = frame.value;
        if (frame.depth >= maxDepth) {
            return { path: pathOf(frame), message: "nests deeper than ".concat(maxDepth, " levels of arrays and objects (MAX_DEPTH)") };
        }
        var depth = frame.depth + 1;
        if (Array.isArray(v)) {
            for (var i = 0; i < v.length && !problem; i++)
                problem = visit(v[i], i, frame, depth);
            continue;
        }
        var entries = v instanceof Map ? v : v instanceof Set ? __spreadArray([], v, true).entries() : Object.entries(v);
        for (var _i = 0, entries_1 = entries; _i < entries_1.length; _i++) {
            var _a = entries_1[_i], k = _a[0], child = _a[1];
            if (typeof k === 'string') {
                var bad = unicodeProblem(k);
                if (bad)
                    return { path: pathOf(frame), message: "has a key that ".concat(bad) };
            }
            else if (k !== null && typeof k === 'object')
                problem !== null && problem !== void 0 ? problem : (problem = visit(k, '(key)', frame, depth));
            problem !== null && problem !== void 0 ? problem : (problem = visit(child, typeof k === 'number' ? k : String(k), frame, depth));
            if (problem)
                break;
        }
    }
    return problem;
}
