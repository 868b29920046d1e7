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
exports.loadConfig = loadConfig;
exports.createLogger = createLogger;
var limits_ts_1 = require("./core/limits.ts");
var eventLog_ts_1 = require("./core/eventLog.ts");
function int(env, name, fallback) {
    var raw = env[name];
    if (raw === undefined || raw === '')
        return fallback;
    var n = Number(raw);
    if (!Number.isInteger(n) || n <= 0)
        throw new Error("".concat(name, " must be a positive integer, got '").concat(raw, "'"));
    return n;
}
function atMost(max, name, n) {
    if (n > max)
        throw new Error("".concat(name, " must be at most ").concat(max, ", got ").concat(n));
    return n;
}
var list = function (raw) { return (raw !== null && raw !== void 0 ? raw : '').split(',').map(function (s) { return s.trim(); }).filter(Boolean); };
/** `*`, or a comma-separated list of origins (`https://app.example.com`): scheme, host, port, no path. */
function corsOrigins(raw) {
    if ((raw === null || raw === void 0 ? void 0 : raw.trim()) === '*')
        return '*';
    var origins = list(raw);
    for (var _i = 0, origins_1 = origins; _i < origins_1.length; _i++) {
        var o = origins_1[_i];
        var url = void 0;
        try {
            url = new URL(o);
        }
        catch (_a) { }
        if (!url || url.origin !== o)
            throw new Error("CORS_ORIGINS lists origins such as https://app.example.com (scheme, host, port; no path or trailing slash), got '".concat(o, "'"));
    }
    return origins;
}
function oneOf(env, name, allowed, fallback) {
    var raw = env[name];
    if (raw === undefined || raw === '')
        return fallback;
    if (!allowed.includes(raw))
        throw new Error("".concat(name, " must be one of ").concat(allowed.join(', '), ", got '").concat(raw, "'"));
    return raw;
}
/** Reads the configuration; entries pass their runtime's environment. */
function loadConfig(env) {
    return {
        port: int(env, 'PORT', 3000),
        host: env.HOST || '0.0.0.0',
        databaseUrl: env.DATABASE_URL || 'file:./data/edgelog.db',
        databaseAuthToken: env.DATABASE_AUTH_TOKEN || undefined,
        databaseTimeoutMs: int(env, 'DATABASE_TIMEOUT_MS', 5000),
        replicaPath: env.REPLICA_PATH || undefined,
        replicaSyncIntervalMs: int(env, 'REPLICA_SYNC_INTERVAL_MS', 1000),
        durability: oneOf(env, 'DURABILITY', ['full', 'normal'], 'full'),
        sharedWriters: oneOf(env, 'SHARED_WRITERS', ['true', 'false'], 'false') === 'true',
        limits: {
            maxBodyBytes: int(env, 'MAX_BODY_BYTES', limits_ts_1.DEFAULT_LIMITS.maxBodyBytes),
            maxEventBytes: int(env, 'MAX_EVENT_BYTES', limits_ts_1.DEFAULT_LIMITS.maxEventBytes),
            maxEventsPerAppend: int(env, 'MAX_EVENTS_PER_APPEND', limits_ts_1.DEFAULT_LIMITS.maxEventsPerAppend),
            maxPageSize: int(env, 'MAX_PAGE_SIZE', limits_ts_1.DEFAULT_LIMITS.maxPageSize),
            defaultPageSize: Math.min(limits_ts_1.DEFAULT_LIMITS.defaultPageSize, int(env, 'MAX_PAGE_SIZE', limits_ts_1.DEFAULT_LIMITS.maxPageSize)),
            maxDepth: atMost(limits_ts_1.MAX_DEPTH_CEILING, 'MAX_DEPTH', int(env, 'MAX_DEPTH', limits_ts_1.DEFAULT_LIMITS.maxDepth)),
            maxPageBytes: int(env, 'MAX_PAGE_BYTES', limits_ts_1.DEFAULT_LIMITS.maxPageBytes),
            maxSubscriptions: int(env, 'MAX_SUBSCRIPTIONS', limits_ts_1.DEFAULT_LIMITS.maxSubscriptions),
        },
        writer: {
            maxBatchEvents: int(env, 'MAX_BATCH_EVENTS', eventLog_ts_1.DEFAULT_WRITER.maxBatchEvents),
            maxBatchBytes: int(env, 'MAX_BATCH_BYTES', eventLog_ts_1.DEFAULT_WRITER.maxBatchBytes),
            maxQueueEvents: int(env, 'MAX_QUEUE_EVENTS', eventLog_ts_1.DEFAULT_WRITER.maxQueueEvents),
        },
        authTokens: list(env.AUTH_TOKENS),
        readTokens: list(env.AUTH_READ_TOKENS),
        logLevel: oneOf(env, 'LOG_LEVEL', ['info', 'error', 'silent'], 'info'),
        pollIntervalMs: int(env, 'POLL_INTERVAL_MS', 500),
        sseHeartbeatMs: int(env, 'SSE_HEARTBEAT_MS', 15000),
        shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10000),
        maxOpenTenants: int(env, 'MAX_OPEN_TENANTS', 100),
        tenantIdleMs: int(env, 'TENANT_IDLE_MS', 60000),
    };
}
/** One JSON line per call, filtered by LOG_LEVEL; the same on every runtime. */
function createLogger(level) {
    return function (line) {
        if (level === 'silent' || (level === 'error' && line.level !== 'error'))
            return;
        console.log(JSON.stringify(__assign({ time: new Date().toISOString() }, line)));
    };
}
