"use strict";
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
exports.parseGrants = parseGrants;
exports.authMiddleware = authMiddleware;
var bearer_auth_1 = require("hono/bearer-auth");
var errors_ts_1 = require("../core/errors.ts");
var tenants_ts_1 = require("./tenants.ts");
var WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * Parses AUTH_TOKENS / AUTH_READ_TOKENS entries. A bearer token is RFC 6750 token68
 * (`A-Z a-z 0-9 - . _ ~ + / =`), so `:` cannot be part of one and starts the tenant list.
 * e.g. `ops-token` (all tenants), `acme-token:acme`, `shared-ro:acme|globex`
 */
function parseGrants(auth) {
    var grants = new Map();
    var add = function (entry, role, name) {
        var _a;
        var colon = entry.indexOf(':');
        var token = colon === -1 ? entry : entry.slice(0, colon);
        if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token))
            throw new Error("".concat(name, ": '").concat(token.slice(0, 4), "\u2026' is not a bearer token (RFC 6750 token68 characters only)."));
        var tenants;
        if (colon !== -1) {
            var list = entry.slice(colon + 1).split('|').map(function (t) { return t.trim(); });
            var bad = list.find(function (t) { return !tenants_ts_1.TENANT_NAME.test(t); });
            if (bad !== undefined)
                throw new Error("".concat(name, ": token '").concat(token.slice(0, 4), "\u2026' names tenant '").concat(bad, "', which is not a tenant name (1-64 of A-Z a-z 0-9 _ . -, not starting with . or -)."));
            tenants = new Set(list);
        }
        // A token listed in both lists keeps the stronger role.
        if (((_a = grants.get(token)) === null || _a === void 0 ? void 0 : _a.role) !== 'rw')
            grants.set(token, { role: role, tenants: tenants });
    };
    for (var _i = 0, _a = auth.tokens; _i < _a.length; _i++) {
        var t = _a[_i];
        add(t, 'rw', 'AUTH_TOKENS');
    }
    for (var _b = 0, _c = auth.readTokens; _b < _c.length; _b++) {
        var t = _c[_b];
        add(t, 'ro', 'AUTH_READ_TOKENS');
    }
    return grants;
}
/**
 * Bearer-token auth for /v1/*: 401 without a known token, 403 when a read-only token
 * writes or a token limited to some tenants addresses another (the plain /v1/... routes
 * address the tenant 'default'). Undefined when no token is configured (an open API).
 */
function authMiddleware(auth) {
    var _this = this;
    if (!auth || (!auth.tokens.length && !auth.readTokens.length))
        return undefined;
    var grants = parseGrants(auth);
    return [
        (0, bearer_auth_1.bearerAuth)({
            verifyToken: function (token, c) {
                var grant = grants.get(token);
                if (grant)
                    c.set('role', grant.role);
                if (grant === null || grant === void 0 ? void 0 : grant.tenants)
                    c.set('tenants', grant.tenants);
                return grant !== undefined;
            },
        }),
        function (c, next) { return __awaiter(_this, void 0, void 0, function () {
            var _a, tenant, rest, tenants, allowed;
            return __generator(this, function (_b) {
                switch (_b.label) {
                    case 0:
                        _a = (0, tenants_ts_1.tenantPath)(c.req.path), tenant = _a.tenant, rest = _a.rest;
                        tenants = c.get('tenants');
                        if (tenants && !tenants.has(tenant)) {
                            allowed = __spreadArray([], tenants, true).join(', ');
                            throw new errors_ts_1.EdgelogError(403, 'forbidden', 'Forbidden', "This token may use tenant".concat(tenants.size > 1 ? 's' : '', " ").concat(allowed, ", not '").concat(tenant, "'").concat(tenant === tenants_ts_1.DEFAULT_TENANT && !c.req.path.startsWith('/v1/tenants/') ? ' (the plain /v1/... routes address the default tenant)' : '', "."));
                        }
                        // POST /v1/query is a read that carries its query in the body.
                        if (WRITE_METHODS.has(c.req.method) && c.get('role') !== 'rw' && rest !== '/v1/query') {
                            throw new errors_ts_1.EdgelogError(403, 'forbidden', 'Forbidden', 'This token may read but not write; use a read-write token.');
                        }
                        return [4 /*yield*/, next()];
                    case 1:
                        _b.sent();
                        return [2 /*return*/];
                }
            });
        }); },
    ];
}
