// A small standard CBOR (RFC 8949) encoder and decoder in plain JavaScript.
//
// No dependencies, no TextEncoder (k6's runtime may lack it): runs in k6 and in Node.
// The encoder reproduces cbor-x `new Encoder({ useRecords: false }).encode(x)` byte for
// byte for the value shapes the load scripts send (test/load-cbor.test.ts checks it):
//   - plain objects: map with a 16-bit length header (0xb9 nn nn; 0xba for >= 65536
//     keys), keys in insertion order, undefined values kept (0xf7) — as cbor-x does;
//   - arrays: shortest length header;
//   - strings: UTF-8, shortest length header;
//   - integers: shortest uint/negint for -2^32 .. 2^32-1; every other number (fractions,
//     larger integers, NaN, ±Infinity) as float64 (0xfb). cbor-x only uses float32 when
//     its `useFloat32` option is set, which we do not;
//   - -0 as integer 0, true/false/null/undefined as simple values;
//   - ArrayBuffer as a byte string (major type 2); Uint8Array as tag 64 + byte string.

const CHUNK = 256;

// A growing byte buffer that CBOR items are written into (the encoder's output).
class CborBuffer {
  constructor() {
    this.buf = new Uint8Array(CHUNK);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
  }
  /** @param {number} n */
  ensure(n) {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  /** @param {number} b */
  byte(b) {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  /** major type header with the shortest argument. @param {number} major @param {number} n */
  head(major, n) {
    const m = major << 5;
    if (n < 24) this.byte(m | n);
    else if (n < 0x100) {
      this.ensure(2);
      this.buf[this.pos++] = m | 24;
      this.buf[this.pos++] = n;
    } else if (n < 0x10000) {
      this.ensure(3);
      this.buf[this.pos++] = m | 25;
      this.view.setUint16(this.pos, n);
      this.pos += 2;
    } else {
      this.ensure(5);
      this.buf[this.pos++] = m | 26;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
  }
  /** @param {number} v */
  float64(v) {
    this.ensure(9);
    this.buf[this.pos++] = 0xfb;
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }
  /** @param {string} s */
  string(s) {
    // Worst case 3 bytes per UTF-16 unit, plus a 5-byte header.
    const bytes = utf8Encode(s);
    this.head(3, bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
  /** @param {Uint8Array} b */
  bytes(b) {
    this.head(2, b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

/**
 * UTF-8 encode a JS string (lone surrogates become 3-byte sequences, like cbor-x).
 * @param {string} s
 * @returns {Uint8Array}
 */
export function utf8Encode(s) {
  const out = new Uint8Array(s.length * 3);
  let p = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) out[p++] = c;
    else if (c < 0x800) {
      out[p++] = (c >> 6) | 0xc0;
      out[p++] = (c & 0x3f) | 0x80;
    } else if ((c & 0xfc00) === 0xd800 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x3ff) << 10) + (s.charCodeAt(++i) & 0x3ff);
      out[p++] = (c >> 18) | 0xf0;
      out[p++] = ((c >> 12) & 0x3f) | 0x80;
      out[p++] = ((c >> 6) & 0x3f) | 0x80;
      out[p++] = (c & 0x3f) | 0x80;
    } else {
      out[p++] = (c >> 12) | 0xe0;
      out[p++] = ((c >> 6) & 0x3f) | 0x80;
      out[p++] = (c & 0x3f) | 0x80;
    }
  }
  return out.subarray(0, p);
}

/**
 * @param {Uint8Array} b
 * @param {number} start
 * @param {number} end
 */
export function utf8Decode(b, start = 0, end = b.length) {
  let s = '';
  let i = start;
  while (i < end) {
    const c = b[i++];
    let cp;
    if (c < 0x80) cp = c;
    else if (c < 0xe0) cp = ((c & 0x1f) << 6) | (b[i++] & 0x3f);
    else if (c < 0xf0) cp = ((c & 0x0f) << 12) | ((b[i++] & 0x3f) << 6) | (b[i++] & 0x3f);
    else cp = ((c & 0x07) << 18) | ((b[i++] & 0x3f) << 12) | ((b[i++] & 0x3f) << 6) | (b[i++] & 0x3f);
    if (cp > 0xffff) {
      cp -= 0x10000;
      s += String.fromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else s += String.fromCharCode(cp);
  }
  return s;
}

/** @param {CborBuffer} w @param {unknown} v */
function write(w, v) {
  switch (typeof v) {
    case 'string':
      w.string(v);
      return;
    case 'number':
      if (v >>> 0 === v) w.head(0, v);
      else if (v >> 0 === v) w.head(1, -1 - v);
      else if (v < 0 && v >= -0x100000000 && Math.floor(v) === v) w.head(1, -1 - v);
      else w.float64(v);
      return;
    case 'boolean':
      w.byte(v ? 0xf5 : 0xf4);
      return;
    case 'undefined':
      w.byte(0xf7);
      return;
    case 'object': {
      if (v === null) {
        w.byte(0xf6);
        return;
      }
      if (Array.isArray(v)) {
        w.head(4, v.length);
        for (let i = 0; i < v.length; i++) write(w, v[i]);
        return;
      }
      if (v instanceof Uint8Array) {
        // cbor-x marks typed arrays with their RFC 8746 tag: 64 for Uint8Array.
        w.ensure(2);
        w.buf[w.pos++] = 0xd8;
        w.buf[w.pos++] = 64;
        w.bytes(v);
        return;
      }
      if (v instanceof ArrayBuffer) {
        w.bytes(new Uint8Array(v));
        return;
      }
      /** @type {Record<string, unknown>} */
      const o = /** @type {any} */ (v);
      const keys = [];
      for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) keys.push(k);
      if (keys.length < 0x10000) {
        w.ensure(3);
        w.buf[w.pos++] = 0xb9;
        w.view.setUint16(w.pos, keys.length);
        w.pos += 2;
      } else {
        w.ensure(5);
        w.buf[w.pos++] = 0xba;
        w.view.setUint32(w.pos, keys.length);
        w.pos += 4;
      }
      for (let i = 0; i < keys.length; i++) {
        w.string(keys[i]);
        write(w, o[keys[i]]);
      }
      return;
    }
    default:
      throw new TypeError(`cbor: cannot encode a ${typeof v}`);
  }
}

/**
 * Encode a value. The result owns its buffer exactly (byteOffset 0, byteLength = length),
 * so `encode(x).buffer` is the ArrayBuffer to hand to k6's http.post.
 * @param {unknown} value
 * @returns {Uint8Array}
 */
export function encode(value) {
  const w = new CborBuffer();
  write(w, value);
  return w.buf.slice(0, w.pos);
}

/** Encode to a standalone ArrayBuffer (what k6 wants as a binary request body). @param {unknown} value */
export function encodeToArrayBuffer(value) {
  return /** @type {ArrayBuffer} */ (encode(value).buffer);
}

/** @param {number} h half-precision bits */
function half(h) {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  let v;
  if (exp === 0) v = mant * Math.pow(2, -24);
  else if (exp !== 31) v = (mant + 1024) * Math.pow(2, exp - 25);
  else v = mant === 0 ? Infinity : NaN;
  return h & 0x8000 ? -v : v;
}

const BREAK = Symbol('break');

/**
 * Decode one CBOR data item. Maps become plain objects (keys stringified), byte strings
 * Uint8Array, tags are dropped (their content is returned), 64-bit integers become
 * numbers (exact up to 2^53).
 * @param {Uint8Array | ArrayBuffer} input
 * @returns {any}
 */
export function decode(input) {
  const b = input instanceof Uint8Array ? input : new Uint8Array(input);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;

  /** @param {number} ai */
  function arg(ai) {
    if (ai < 24) return ai;
    if (ai === 24) return b[p++];
    if (ai === 25) {
      const v = view.getUint16(p);
      p += 2;
      return v;
    }
    if (ai === 26) {
      const v = view.getUint32(p);
      p += 4;
      return v;
    }
    if (ai === 27) {
      const v = view.getUint32(p) * 0x100000000 + view.getUint32(p + 4);
      p += 8;
      return v;
    }
    if (ai === 31) return -1; // indefinite
    throw new Error(`cbor: bad additional info ${ai}`);
  }

  /** @returns {any} */
  function item() {
    if (p >= b.length) throw new Error('cbor: unexpected end of input');
    const ib = b[p++];
    const major = ib >> 5;
    const ai = ib & 0x1f;
    if (major === 7) {
      switch (ai) {
        case 20: return false;
        case 21: return true;
        case 22: return null;
        case 23: return undefined;
        case 24: p++; return undefined; // simple value, unassigned
        case 25: { const v = half(view.getUint16(p)); p += 2; return v; }
        case 26: { const v = view.getFloat32(p); p += 4; return v; }
        case 27: { const v = view.getFloat64(p); p += 8; return v; }
        case 31: return BREAK;
        default: return undefined; // simple values 0..19
      }
    }
    const n = arg(ai);
    switch (major) {
      case 0: return n;
      case 1: return -1 - n;
      case 2:
      case 3: {
        if (n === -1) {
          const parts = [];
          for (;;) {
            const part = item();
            if (part === BREAK) break;
            parts.push(part);
          }
          if (major === 3) return parts.join('');
          let len = 0;
          for (const x of parts) len += x.length;
          const out = new Uint8Array(len);
          let o = 0;
          for (const x of parts) { out.set(x, o); o += x.length; }
          return out;
        }
        if (p + n > b.length) throw new Error('cbor: unexpected end of input');
        const start = p;
        p += n;
        return major === 3 ? utf8Decode(b, start, p) : b.slice(start, p);
      }
      case 4: {
        const arr = [];
        if (n === -1) {
          for (;;) { const x = item(); if (x === BREAK) break; arr.push(x); }
        } else for (let i = 0; i < n; i++) arr.push(item());
        return arr;
      }
      case 5: {
        /** @type {Record<string, any>} */
        const obj = {};
        if (n === -1) {
          for (;;) {
            const k = item();
            if (k === BREAK) break;
            obj[String(k)] = item();
          }
        } else for (let i = 0; i < n; i++) { const k = item(); obj[String(k)] = item(); }
        return obj;
      }
      case 6: return item(); // tag: return the tagged content
      default: throw new Error(`cbor: bad major type ${major}`);
    }
  }

  const v = item();
  if (v === BREAK) throw new Error('cbor: unexpected break');
  return v;
}
