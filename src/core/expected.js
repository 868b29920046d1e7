"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.expectationHolds = expectationHolds;
var types_ts_1 = require("./types.ts");
/** Does a stream at `actual` (null: no stream) satisfy `expected`? */
function expectationHolds(expected, actual) {
    switch (expected) {
        case types_ts_1.ANY:
            return true;
        case types_ts_1.NO_STREAM:
            return actual === null;
        case types_ts_1.STREAM_EXISTS:
            return actual !== null;
        default:
            return actual === expected;
    }
}
