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
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __generator = (this && this.__generator) || function (thisArg, body) {
    var _ = { label: 0, sent: function() { if (t[0] & 1) throw t[1]; return t[1]; }, trys: [], ops: [] }, f, y, t, g = Object.create((typeof Iterator === "function" ? Iterator : Object).prototype);
    return g.next = verb(0), g["throw"] = verb(1), g["return"] = verb(2), typeof Symbol === "function" && (g[Symbol.iterator] = function() { return this; }), g;
    function verb(n) { return function (v) { return step([n, v]); }; }
    function step(op) {
        if (f) throw new TypeError("Generator is already executing.");
        while (g && (g = 0, op[0] && (_ = 0)), _) try {
            if (f = 1, y && (t = op[0] & 2 ? y["return"] : op[0] ? y["throw"] || ((t = y["return"]) && t.call(y), 0) : y.next) && !(t = t.call(y, op[1])).done) return t;
            if (y = 0, t) op = [op[0] & 2, t.value];
            switch (op[0]) {
                case 0: case 1: t = op; break;
                case 4: _.label++; return { value: op[1], done: false };
                case 5: _.label++; y = op[1]; op = [0]; continue;
                case 7: op = _.ops.pop(); _.trys.pop(); continue;
                default:
                    if (!(t = _.trys, t = t.length > 0 && t[t.length - 1]) && (op[0] === 6 || op[0] === 2)) { _ = 0; continue; }
                    if (op[0] === 3 && (!t || (op[1] > t[0] && op[1] < t[3]))) { _.label = op[1]; break; }
                    if (op[0] === 6 && _.label < t[1]) { _.label = t[1]; t = op; break; }
                    if (t && _.label < t[2]) { _.label = t[2]; _.ops.push(op); break; }
                    if (t[2]) _.ops.pop();
                    _.trys.pop(); continue;
            }
            op = body.call(thisArg, _);
        } catch (e) { op = [6, e]; y = 0; } finally { f = t = 0; }
        if (op[0] & 5) throw op[1]; return { value: op[0] ? op[1] : void 0, done: true };
    }
};
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
exports.TENANT_NAME = exports.DEFAULT_TENANT = void 0;
exports.tenantPath = tenantPath;
exports.checkTenant = checkTenant;
exports.mountTenants = mountTenants;
exports.forward = forward;
exports.withTenantPaths = withTenantPaths;
var errors_ts_1 = require("../core/errors.ts");
/** The tenant the plain /v1/... routes address. */
exports.DEFAULT_TENANT = 'default';
/**
 * Tenant names: like stream names, but they also name a database file
 * (`{tenant}` in DATABASE_URL) and a Durable Object, so a tighter alphabet: no `:`, `@`,
 * `+`, `=` and no leading `.` (hidden files).
 */
exports.TENANT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
var PREFIX = '/v1/tenants/';
/** Where a request goes: `/v1/tenants/acme/streams/x` -> acme, `/v1/streams/x`; `/v1/all` -> default, `/v1/all`. */
function tenantPath(path) {
    if (!path.startsWith(PREFIX))
        return { tenant: exports.DEFAULT_TENANT, rest: path };
    var slash = path.indexOf('/', PREFIX.length);
    var raw = slash === -1 ? path.slice(PREFIX.length) : path.slice(PREFIX.length, slash);
    var tenant = raw;
    try {
        tenant = decodeURIComponent(raw);
    }
    catch (_a) { }
    return { tenant: tenant, rest: "/v1".concat(slash === -1 ? '' : path.slice(slash)) };
}
/** A tenant name from a URL, or a 400 that says what a tenant name is. */
function checkTenant(tenant) {
    if (exports.TENANT_NAME.test(tenant))
        return tenant;
    throw (0, errors_ts_1.invalidRequest)("'".concat(tenant.slice(0, 80), "' is not a tenant name: 1-64 characters from A-Z a-z 0-9 _ . -, not starting with . or -."), [
        { path: 'tenant', message: 'a tenant name is 1-64 characters from A-Z a-z 0-9 _ . -, not starting with . or -' },
    ]);
}
/**
 * The tenant-qualified routes: `/v1/tenants/:tenant/<route>` is `/v1/<route>` of that
 * tenant's own log. The request is handed on with its path rewritten; a Location header
 * in the answer is rewritten back.
 */
function mountTenants(app, router) {
    var _this = this;
    app.all("".concat(PREFIX, ":tenant/*"), function (c) { return __awaiter(_this, void 0, void 0, function () {
        var _a, tenant, rest;
        return __generator(this, function (_b) {
            _a = tenantPath(new URL(c.req.url).pathname), tenant = _a.tenant, rest = _a.rest;
            checkTenant(tenant);
            return [2 /*return*/, forward(router, tenant, c.req.raw, rest)];
        });
    }); });
}
/** Hands `request` to `tenant` with its path replaced by `path` (the plain /v1/... form). */
function forward(router, tenant, request, path) {
    return __awaiter(this, void 0, void 0, function () {
        var url, prefix, body, inner, res, location, out;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    url = new URL(request.url);
                    prefix = url.pathname.slice(0, url.pathname.length - path.length + '/v1'.length);
                    url.pathname = path;
                    body = request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body;
                    inner = new Request(url, { method: request.method, headers: request.headers, body: body, signal: request.signal, duplex: 'half' });
                    return [4 /*yield*/, router.fetch(tenant, inner)];
                case 1:
                    res = _a.sent();
                    location = res.headers.get('location');
                    if (location === null || !location.startsWith('/v1/'))
                        return [2 /*return*/, res];
                    out = new Response(res.body, res);
                    out.headers.set('location', "".concat(prefix).concat(location.slice('/v1'.length)));
                    return [2 /*return*/, out];
            }
        });
    });
}
/** The OpenAPI document with the tenant-qualified form of every /v1/ path beside it. */
function withTenantPaths(doc) {
    var _a, _b, _c;
    var paths = __assign({}, doc.paths);
    var tenant = {
        name: 'tenant',
        in: 'path',
        required: true,
        description: "A tenant: an isolated log with its own database. /v1/tenants/".concat(exports.DEFAULT_TENANT, "/... is /v1/..."),
        schema: { type: 'string', pattern: exports.TENANT_NAME.source },
    };
    for (var _i = 0, _d = Object.entries((_a = doc.paths) !== null && _a !== void 0 ? _a : {}); _i < _d.length; _i++) {
        var _e = _d[_i], path = _e[0], item = _e[1];
        if (!path.startsWith('/v1/'))
            continue;
        var copy = {};
        for (var _f = 0, _g = Object.entries(item); _f < _g.length; _f++) {
            var _h = _g[_f], method = _h[0], op = _h[1];
            copy[method] = __assign(__assign({}, op), { operationId: op.operationId ? "".concat(op.operationId, "ForTenant") : undefined, parameters: __spreadArray([tenant], ((_b = op.parameters) !== null && _b !== void 0 ? _b : []), true), tags: __spreadArray(__spreadArray([], ((_c = op.tags) !== null && _c !== void 0 ? _c : []), true), ['tenants'], false) });
        }
        paths["/v1/tenants/{tenant}".concat(path.slice('/v1'.length))] = copy;
    }
    return __assign(__assign({}, doc), { paths: paths });
}
