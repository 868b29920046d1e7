/**
 * The offset of the first byte of `bytes[start, end)` that breaks UTF-8 (RFC 3629 §4: no
 * overlong forms, no surrogates U+D800-U+DFFF, nothing past U+10FFFF), or -1 when it is valid.
 * Only for the error message: TextDecoder with `fatal` does the check itself, natively.
 */
export function invalidUtf8At(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start
  while (i < end) {
    const b = bytes[i]
    if (b < 0x80) {
      i++
      continue
    }
    let more = 0
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) more = 1
    else if (b === 0xe0) (more = 2), (lo = 0xa0)
    else if (b === 0xed) (more = 2), (hi = 0x9f)
    else if (b >= 0xe1 && b <= 0xef) more = 2
    else if (b === 0xf0) (more = 3), (lo = 0x90)
    else if (b >= 0xf1 && b <= 0xf3) more = 3
    else if (b === 0xf4) (more = 3), (hi = 0x8f)
    else return i
    if (i + more >= end || bytes[i + 1] < lo || bytes[i + 1] > hi) return i
    for (let k = 2; k <= more; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i
    i += more + 1
  }
  return -1
}
