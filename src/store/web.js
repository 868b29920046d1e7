"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.openWebStore = openWebStore;
var web_1 = require("@libsql/client/web");
var d1_ts_1 = require("./d1.ts");
var remote_ts_1 = require("./remote.ts");
var store_ts_1 = require("./store.ts");
/**
 * Opens the store where there is no file system (Cloudflare Workers): D1 through its
 * binding, or a remote libSQL server through @libsql/client's web build. Nothing is
 * trusted in memory across requests (protocol is never 'file'); schema migrations run
 * before deploy (`wrangler d1 migrations apply`, `npm run migrate`), not here.
 */
function openWebStore(options) {
    var _a, _b;
    if (options.store === 'd1') {
        if (!options.d1)
            throw new Error('STORE is "d1" but there is no D1 binding named DB: add [[d1_databases]] to wrangler.toml.');
        return (0, store_ts_1.createStore)((0, d1_ts_1.d1Db)(options.d1));
    }
    var url = (_a = options.url) !== null && _a !== void 0 ? _a : '';
    // A WebSocket is an I/O object bound to the request that opened it: a client shared by
    // every request of an isolate must speak HTTP (libsql:// means https:// here).
    if (!/^(libsql|https?):\/\//.test(url)) {
        throw new Error("STORE is \"libsql\": DATABASE_URL must be a libsql://, https:// or http:// URL (set it with `wrangler secret put DATABASE_URL`), got '".concat((0, remote_ts_1.redact)(url), "'."));
    }
    var timeoutMs = (_b = options.timeoutMs) !== null && _b !== void 0 ? _b : 5000;
    // No request may start another's I/O: workerd cancels it with the request that started
    // it ("Promise will never complete"). @libsql/client's limit (`concurrency || 20`, so 0
    // does not disable it) starts a queued call from the call that freed the slot, another
    // request's context; so it must never queue. No semaphore of ours either: a slot handed
    // to a request that was cancelled meanwhile would be lost for good. Each request's calls
    // start in its own context; workerd bounds the requests of an isolate.
    var client = (0, web_1.createClient)({ url: url, authToken: options.authToken, concurrency: Number.MAX_SAFE_INTEGER, fetch: (0, remote_ts_1.fetchWithTimeout)(timeoutMs) });
    return (0, store_ts_1.createStore)((0, remote_ts_1.remoteDb)(client, { timeoutMs: timeoutMs, where: (0, remote_ts_1.redact)(url) }));
}
