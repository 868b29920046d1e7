"use strict";
var __assign = (this && this.__assign) || function () {
    __assign = Object.assign || function(t) {
        for (var s, i = 1, n = arguments.length; i < n; i++) {
            s = arguments[i];
            for (var p in s) if (Object.prototype.hasOwnProperty.call(s, p))
                t[p] = s[p];
        }
        return t;
    };
    return __assign.apply(this, arguments);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.webFetch = webFetch;
var index_no_eval_1 = require("cbor-x/index-no-eval");
var config_ts_1 = require("../config.ts");
var eventLog_ts_1 = require("../core/eventLog.ts");
var app_ts_1 = require("../http/app.ts");
var codec_ts_1 = require("../store/codec.ts");
var web_ts_1 = require("../store/web.ts");
var app;
/**
 * STORE=d1 or libsql: one app per isolate, built on its first request (bindings and
 * secrets arrive with it). Its group commit batches only the requests this isolate serves
 * at the same moment. One log: tenants need STORE=do.
 */
function webFetch(request, env, ctx) {
    if (!app) {
        var config = (0, config_ts_1.loadConfig)(env);
        var store = (0, web_ts_1.openWebStore)({ store: env.STORE === 'libsql' ? 'libsql' : 'd1', d1: env.DB, url: config.databaseUrl, authToken: config.databaseAuthToken, timeoutMs: config.databaseTimeoutMs });
        // Nothing in memory sees every commit (other isolates write too): subscriptions poll.
        var writer = __assign(__assign({}, config.writer), { continueFromWaiter: true }); // see WriterOptions
        var log = (0, eventLog_ts_1.createEventLog)(__assign(__assign({}, store), { codec: (0, codec_ts_1.makeCodec)({ Encoder: index_no_eval_1.Encoder, addExtension: index_no_eval_1.addExtension }), limits: config.limits, writer: writer, pollIntervalMs: config.pollIntervalMs }));
        var logger = (0, config_ts_1.createLogger)(config.logLevel);
        // No metrics: per-isolate counters mean nothing; Workers Analytics and Logs replace them.
        app = (0, app_ts_1.createApp)({ log: log, auth: { tokens: config.authTokens, readTokens: config.readTokens }, logger: logger, sse: { heartbeatMs: config.sseHeartbeatMs } });
    }
    // A request waiting for a group commit that another request's context runs has no
    // I/O of its own pending, and workerd would cancel it as hung: a timer keeps it live.
    var live = setInterval(function () { }, 1000);
    return Promise.resolve(app.fetch(request, env, ctx)).finally(function () { return clearInterval(live); });
}
