"use strict";
var __extends = (this && this.__extends) || (function () {
    var extendStatics = function (d, b) {
        extendStatics = Object.setPrototypeOf ||
            ({ __proto__: [] } instanceof Array && function (d, b) { d.__proto__ = b; }) ||
            function (d, b) { for (var p in b) if (Object.prototype.hasOwnProperty.call(b, p)) d[p] = b[p]; };
        return extendStatics(d, b);
    };
    return function (d, b) {
        if (typeof b !== "function" && b !== null)
            throw new TypeError("Class extends value " + String(b) + " is not a constructor or null");
        extendStatics(d, b);
        function __() { this.constructor = d; }
        d.prototype = b === null ? Object.create(b) : (__.prototype = b.prototype, new __());
    };
})();
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
Object.defineProperty(exports, "__esModule", { value: true });
exports.EventLogObject = void 0;
var cloudflare_workers_1 = require("cloudflare:workers");
var index_no_eval_1 = require("cbor-x/index-no-eval");
var config_ts_1 = require("../config.ts");
var eventLog_ts_1 = require("../core/eventLog.ts");
var app_ts_1 = require("../http/app.ts");
var codec_ts_1 = require("../store/codec.ts");
var doMigrate_ts_1 = require("../store/doMigrate.ts");
var doSql_ts_1 = require("../store/doSql.ts");
var store_ts_1 = require("../store/store.ts");
var migrations_ts_1 = require("./migrations.ts");
/**
 * One log (tenant) as a SQLite-backed Durable Object (STORE=do). The object is the only
 * writer of its database: the group-commit writer keeps stream heads in memory and its
 * commits wake live subscriptions at once (no polling). It migrates its own database
 * before it takes a request, then serves the same app as every runtime. Auth and tenant
 * routing happen in the Worker in front of it (gateway.ts); only that Worker reaches it.
 */
var EventLogObject = /** @class */ (function (_super) {
    __extends(EventLogObject, _super);
    function EventLogObject(ctx, env) {
        var _this = _super.call(this, ctx, env) || this;
        // No event is delivered to the object until this settles (input gate).
        void ctx.blockConcurrencyWhile(function () { return __awaiter(_this, void 0, void 0, function () {
            var config, store, log;
            return __generator(this, function (_a) {
                switch (_a.label) {
                    case 0: return [4 /*yield*/, (0, doMigrate_ts_1.migrateDo)(ctx.storage, (0, migrations_ts_1.bundledMigrations)())];
                    case 1:
                        _a.sent();
                        config = (0, config_ts_1.loadConfig)(env);
                        store = (0, store_ts_1.createStore)((0, doSql_ts_1.doDb)(ctx.storage));
                        log = (0, eventLog_ts_1.createEventLog)(__assign(__assign({}, store), { codec: (0, codec_ts_1.makeCodec)({ Encoder: index_no_eval_1.Encoder, addExtension: index_no_eval_1.addExtension }), limits: config.limits, writer: config.writer, liveSignal: true, pollIntervalMs: config.pollIntervalMs }));
                        this.app = (0, app_ts_1.createApp)({ log: log, logger: (0, config_ts_1.createLogger)(config.logLevel), sse: { heartbeatMs: config.sseHeartbeatMs }, describeTenants: true });
                        return [2 /*return*/];
                }
            });
        }); });
        return _this;
    }
    EventLogObject.prototype.fetch = function (request) {
        return Promise.resolve(this.app.fetch(request));
    };
    return EventLogObject;
}(cloudflare_workers_1.DurableObject));
exports.EventLogObject = EventLogObject;
