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
exports.createSharedTail = createSharedTail;
var streams_ts_1 = require("./streams.ts");
function createSharedTail(options) {
    var reader = options.reader, pageSize = options.pageSize, maxBytes = options.maxBytes, pollIntervalMs = options.pollIntervalMs;
    var members = new Set();
    // Members by category: a page is offered to those of the categories it touches, and to
    // the rest (no category or stream in their filter): a member matching nothing costs nothing.
    var byCategory = new Map();
    var anyCategory = new Set();
    var remove = function (m) {
        members.delete(m);
        if (m.category === undefined)
            return void anyCategory.delete(m);
        var set = byCategory.get(m.category);
        set === null || set === void 0 ? void 0 : set.delete(m);
        if ((set === null || set === void 0 ? void 0 : set.size) === 0)
            byCategory.delete(m.category);
    };
    function fanOut(page, upTo) {
        var _a;
        for (var _i = 0, anyCategory_1 = anyCategory; _i < anyCategory_1.length; _i++) {
            var m = anyCategory_1[_i];
            m.offer(page, upTo);
        }
        if (byCategory.size === 0)
            return;
        var groups;
        for (var _b = 0, page_1 = page; _b < page_1.length; _b++) {
            var e = page_1[_b];
            if (e.stream === null)
                continue;
            var c = (0, streams_ts_1.categoryOf)(e.stream);
            if (!byCategory.has(c))
                continue;
            groups !== null && groups !== void 0 ? groups : (groups = new Map());
            var g = groups.get(c);
            if (g)
                g.push(e);
            else
                groups.set(c, [e]);
        }
        if (groups)
            for (var _c = 0, groups_1 = groups; _c < groups_1.length; _c++) {
                var _d = groups_1[_c], c = _d[0], events = _d[1];
                for (var _e = 0, _f = (_a = byCategory.get(c)) !== null && _a !== void 0 ? _a : []; _e < _f.length; _e++) {
                    var m = _f[_e];
                    m.offer(events, upTo);
                }
            }
    }
    var position = 0;
    var reading;
    var again = false;
    var lastPoll = 0;
    var reads = 0;
    function run(triggeredAt) {
        return __awaiter(this, void 0, void 0, function () {
            var page, upTo, _a, _i, _b, m;
            var _c;
            return __generator(this, function (_d) {
                switch (_d.label) {
                    case 0:
                        _d.trys.push([0, 8, 9, 10]);
                        _d.label = 1;
                    case 1:
                        again = false;
                        _d.label = 2;
                    case 2:
                        if (members.size === 0)
                            return [2 /*return*/];
                        return [4 /*yield*/, reader.readAll({ from: position + 1, limit: pageSize, maxBytes: maxBytes })];
                    case 3:
                        page = _d.sent();
                        reads++;
                        if (!page.length)
                            return [3 /*break*/, 5];
                        upTo = page[page.length - 1].position;
                        position = upTo;
                        fanOut(page, upTo);
                        (_c = options.onPage) === null || _c === void 0 ? void 0 : _c.call(options, page, performance.now() - triggeredAt);
                        if (page.length < pageSize && !page.cut)
                            return [3 /*break*/, 5];
                        _d.label = 4;
                    case 4: return [3 /*break*/, 2];
                    case 5:
                        triggeredAt = performance.now();
                        _d.label = 6;
                    case 6:
                        if (again) return [3 /*break*/, 1];
                        _d.label = 7;
                    case 7: return [3 /*break*/, 10];
                    case 8:
                        _a = _d.sent();
                        // Members read on their own again and meet the fault there (an error to their client).
                        for (_i = 0, _b = __spreadArray([], members, true); _i < _b.length; _i++) {
                            m = _b[_i];
                            remove(m);
                            m.evict();
                        }
                        return [3 /*break*/, 10];
                    case 9:
                        reading = undefined;
                        return [7 /*endfinally*/];
                    case 10: return [2 /*return*/];
                }
            });
        });
    }
    // After the current turn: the commit that triggered it answers its appends first.
    var start = function () {
        var t0 = performance.now();
        return (reading = Promise.resolve().then(function () { return run(t0); }));
    };
    return {
        get position() {
            return position;
        },
        get size() {
            return members.size;
        },
        get reads() {
            return reads;
        },
        /** Joins when nothing can fall between the member's own reads and the tail; false: read on. */
        join: function (m) {
            if (members.size === 0 && !reading)
                position = m.scanned;
            else if (m.scanned < position)
                return false;
            members.add(m);
            if (m.category === undefined)
                anyCategory.add(m);
            else {
                var set = byCategory.get(m.category);
                if (!set)
                    byCategory.set(m.category, (set = new Set()));
                set.add(m);
            }
            // Commits it has not scanned may have been signalled while nobody listened.
            if (options.head() > position)
                this.kick();
            return true;
        },
        leave: function (m) {
            remove(m);
        },
        /** Something was committed (commit signal): read it once for every member. */
        kick: function () {
            if (members.size === 0)
                return;
            if (reading)
                again = true;
            else
                start();
        },
        /** Poll mode: one read per interval for the whole process, whoever asks. */
        poll: function () {
            if (reading)
                return reading;
            if (members.size === 0 || performance.now() - lastPoll < pollIntervalMs / 2)
                return Promise.resolve();
            lastPoll = performance.now();
            return start();
        },
    };
}
