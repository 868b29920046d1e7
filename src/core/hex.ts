/** Two lowercase hex digits for each byte value: `HEX[171]` is 'ab'. */
export const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Lowercase hex of bytes, e.g. `hex(new Uint8Array([1, 171]))` is '01ab'. */
export function hex(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]]
  return s
}
