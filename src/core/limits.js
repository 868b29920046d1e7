"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEFAULT_LIMITS = exports.MAX_DEPTH_CEILING = void 0;
/**
 * The most MAX_DEPTH may be: cbor-x encodes and decodes recursively, and runs out of stack
 * at ~1,800 levels on Node (measured); this leaves room for the frames around it.
 */
exports.MAX_DEPTH_CEILING = 512;
exports.DEFAULT_LIMITS = {
    maxBodyBytes: 4 * 1024 * 1024,
    maxEventBytes: 256 * 1024,
    maxEventsPerAppend: 1000,
    maxPageSize: 1000,
    defaultPageSize: 100,
    maxDepth: 64,
    // 4 MiB: 16 events of the largest size (MAX_EVENT_BYTES), well under a remote libSQL
    // server's 10 MB response limit, and what a page costs in memory while it is rendered.
    maxPageBytes: 4 * 1024 * 1024,
    // Sized from `npm run bench:fanout` (docs/subscriptions.md#limits): an idle subscriber,
    // its connection included, measured 15-30 KB of server RSS, so 5,000 stay near 150 MB.
    maxSubscriptions: 5000,
};
