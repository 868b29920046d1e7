"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.bundledMigrations = bundledMigrations;
var _journal_json_1 = require("../../migrations/meta/_journal.json");
// wrangler.toml's [[rules]] bundles .sql files as text. One import per migration file:
// a journal entry without one stops every object at start (below), so none is forgotten.
var _0000_init_sql_1 = require("../../migrations/0000_init.sql");
var files = { '0000_init': _0000_init_sql_1.default };
/** drizzle-kit's migrations/, bundled into the Worker at build time, in journal order. */
function bundledMigrations() {
    return _journal_json_1.default.entries.map(function (e) {
        var sql = files[e.tag];
        if (sql === undefined)
            throw new Error("migrations/".concat(e.tag, ".sql is in the journal but not imported in src/worker/migrations.ts: add it there."));
        return { tag: e.tag, when: e.when, sql: sql };
    });
}
