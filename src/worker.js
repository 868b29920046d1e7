"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.EventLogObject = void 0;
var gateway_ts_1 = require("./worker/gateway.ts");
var web_ts_1 = require("./worker/web.ts");
var logObject_ts_1 = require("./worker/logObject.ts");
Object.defineProperty(exports, "EventLogObject", { enumerable: true, get: function () { return logObject_ts_1.EventLogObject; } });
exports.default = {
    fetch: function (request, env, ctx) { var _a; return (((_a = env.STORE) !== null && _a !== void 0 ? _a : 'do') === 'do' ? gateway_ts_1.doFetch : web_ts_1.webFetch)(request, env, ctx); },
};
