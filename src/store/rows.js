"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.placeholders = exports.LAST_POSITION = exports.EVENT_COLUMNS = void 0;
exports.toStoredEvent = toStoredEvent;
var uuid_ts_1 = require("../core/uuid.ts");
exports.EVENT_COLUMNS = 'position, id, stream, revision, type, time, data, metadata, tags';
/** The last committed position, 0 when the log is empty (`p`). */
exports.LAST_POSITION = 'SELECT coalesce(max(position), 0) AS p FROM events';
var bytes = function (v) {
    return v == null ? null : v instanceof Uint8Array ? v : new Uint8Array(v);
};
/** Maps a row selected with EVENT_COLUMNS to a StoredEvent. */
function toStoredEvent(row) {
    return {
        position: Number(row.position),
        id: (0, uuid_ts_1.uuidToString)(bytes(row.id)),
        stream: row.stream,
        revision: row.revision == null ? null : Number(row.revision),
        type: row.type,
        time: Number(row.time),
        data: bytes(row.data),
        metadata: bytes(row.metadata),
        tags: row.tags ? JSON.parse(row.tags) : [],
    };
}
/** `?, ?, ?` for an IN list. */
var placeholders = function (n) { return Array.from({ length: n }, function () { return '?'; }).join(', '); };
exports.placeholders = placeholders;
