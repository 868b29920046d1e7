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
Object.defineProperty(exports, "__esModule", { value: true });
exports.createStore = createStore;
var commitGroup_ts_1 = require("./commitGroup.ts");
var consumers_ts_1 = require("./consumers.ts");
var reads_ts_1 = require("./reads.ts");
/** A store over any @libsql/client (local file, remote server, or web client). */
function createStore(client, options) {
    if (options === void 0) { options = {}; }
    var trustCache = client.protocol === 'file' && !options.sharedWriters;
    var replica = options.replica;
    var primary = (0, commitGroup_ts_1.createCommitBackend)(client, { trustCache: trustCache });
    // With a replica, each commit attempt (acknowledged or of unknown outcome) makes the next
    // read wait for a sync that covers it: read-your-writes through this instance.
    var backend = replica
        ? __assign(__assign({}, primary), { commitGroup: function (commands) { return primary.commitGroup(commands).finally(function () { return replica.committed(); }); } }) : primary;
    // /health asks the primary: appends need it, and the replica answers even when it is gone.
    var reader = replica ? __assign(__assign({}, (0, reads_ts_1.createReader)(replica.db)), { ping: (0, reads_ts_1.createReader)(client).ping }) : (0, reads_ts_1.createReader)(client);
    return {
        backend: backend,
        reader: reader,
        consumers: (0, consumers_ts_1.createConsumerStore)(client),
        trustCache: trustCache,
        close: function () {
            return __awaiter(this, void 0, void 0, function () {
                return __generator(this, function (_a) {
                    replica === null || replica === void 0 ? void 0 : replica.close();
                    client.close();
                    return [2 /*return*/];
                });
            });
        },
    };
}
