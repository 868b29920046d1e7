"use strict";
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
exports.doFetch = doFetch;
var hono_1 = require("hono");
var config_ts_1 = require("../config.ts");
var auth_ts_1 = require("../http/auth.ts");
var problem_ts_1 = require("../http/problem.ts");
var tenants_ts_1 = require("../http/tenants.ts");
var gateway;
/**
 * STORE=do: the Worker in front of the Durable Objects. It checks the token (and its
 * tenants), then hands the request to the tenant's object: `/v1/tenants/:tenant/...` to
 * that tenant, everything else (the plain /v1/... routes, /health, /openapi.json) to the
 * object named 'default'.
 */
function doFetch(request, env, ctx) {
    if (!gateway) {
        var logs_1 = env.LOGS;
        if (!logs_1)
            throw new Error('STORE is "do" but there is no Durable Object binding named LOGS: add [[durable_objects.bindings]] to wrangler.toml.');
        var config = (0, config_ts_1.loadConfig)(env);
        var router_1 = { fetch: function (tenant, req) { return logs_1.get(logs_1.idFromName(tenant)).fetch(req); } };
        var app = new hono_1.Hono();
        var authz = (0, auth_ts_1.authMiddleware)({ tokens: config.authTokens, readTokens: config.readTokens });
        if (authz)
            app.use.apply(app, __spreadArray(['/v1/*'], authz, false));
        (0, tenants_ts_1.mountTenants)(app, router_1);
        app.all('*', function (c) { return router_1.fetch(tenants_ts_1.DEFAULT_TENANT, c.req.raw); });
        app.onError(function (err, c) { return (0, problem_ts_1.problemResponse)(c, (0, problem_ts_1.toEdgelogError)(err, c)); });
        gateway = app;
    }
    return Promise.resolve(gateway.fetch(request, env, ctx));
}
