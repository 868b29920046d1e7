"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.STREAM_NAME = void 0;
exports.categoryOf = categoryOf;
exports.streamIdOf = streamIdOf;
exports.streamHash = streamHash;
/** Stream names: printable, URL-path-safe, not starting with `$` (reserved). */
exports.STREAM_NAME = /^[A-Za-z0-9_.:@+=][A-Za-z0-9_.:@+=-]{0,199}$/;
/** Category = the part before the first `-`, as in Message DB (`account-17` -> `account`). */
function categoryOf(stream) {
    var dash = stream.indexOf('-');
    return dash === -1 ? stream : stream.slice(0, dash);
}
/** The stream id: what follows the category (`account-17` -> `17`); the whole name if none. */
function streamIdOf(stream) {
    var dash = stream.indexOf('-');
    return dash === -1 ? stream : stream.slice(dash + 1);
}
/**
 * Stable 31-bit FNV-1a hash of the stream id, stored with each event so a consumer group
 * member selects its streams with `stream_hash % size = member` in SQL.
 */
function streamHash(stream) {
    var id = streamIdOf(stream);
    var h = 0x811c9dc5;
    for (var i = 0; i < id.length; i++) {
        h ^= id.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
    }
    return (h >>> 0) & 0x7fffffff;
}
