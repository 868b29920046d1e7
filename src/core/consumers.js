"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.checkpointBehind = exports.consumerNotFound = exports.CONSUMER_NAME = void 0;
var errors_ts_1 = require("./errors.ts");
/** Consumer names: the stream-name alphabet, 1..200 characters. */
exports.CONSUMER_NAME = /^[A-Za-z0-9_.:@+=-]{1,200}$/;
var consumerNotFound = function (name) {
    return new errors_ts_1.EdgelogError(404, 'consumer-not-found', 'Consumer not found', "Consumer '".concat(name, "' has no checkpoint; PUT one or subscribe with checkpointEvery."), { consumer: name });
};
exports.consumerNotFound = consumerNotFound;
/** A PUT below the stored checkpoint: checkpoints never move backwards. */
var checkpointBehind = function (name, requested, current) {
    return new errors_ts_1.EdgelogError(409, 'checkpoint-behind', 'Checkpoint would move backwards', "Consumer '".concat(name, "' is at position ").concat(current, "; a checkpoint never moves backwards, so ").concat(requested, " was not saved."), { consumer: name, position: current, requested: requested });
};
exports.checkpointBehind = checkpointBehind;
