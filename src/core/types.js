"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.STREAM_EXISTS = exports.NO_STREAM = exports.ANY = void 0;
/** Expected state of a stream before an append (Emmett/KurrentDB style named constants). */
exports.ANY = 'any';
exports.NO_STREAM = 'no_stream';
exports.STREAM_EXISTS = 'exists';
