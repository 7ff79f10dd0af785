/**
 * Go's encoding/base64 StdEncoding and URLEncoding (padded), with its strict decoder and its error text
 * "illegal base64 data at input byte N". Pure: no Buffer, no node:* modules.
 */
import { FuncError } from '../func-spec.js';
import { utf8Bytes, utf8Decode } from '../values.js';

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function base64Encode(s: string, alphabet: 'std' | 'url' = 'std'): string {
  return base64EncodeBytes(utf8Bytes(s), alphabet);
}

export function base64EncodeBytes(bytes: Uint8Array, alphabet: 'std' | 'url' = 'std'): string {
  const abc = alphabet === 'std' ? STD : URL;
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += abc[n >> 18] + (abc[(n >> 12) & 63] as string) + abc[(n >> 6) & 63] + abc[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += `${abc[n >> 18]}${abc[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += `${abc[n >> 18]}${abc[(n >> 12) & 63]}${abc[(n >> 6) & 63]}=`;
  }
  return out;
}

/**
 * Decodes as Go's Encoding.DecodeString: \r and \n are skipped, padding is required and must end the
 * input, and the first offending byte is reported.
 */
export function base64Decode(s: string, alphabet: 'std' | 'url' = 'std'): string {
  const abc = alphabet === 'std' ? STD : URL;
  const src = utf8Bytes(s);
  const out: number[] = [];
  const quantum: number[] = [];
  let i = 0;
  const fail = (at: number): never => {
    throw new FuncError(`illegal base64 data at input byte ${at}`);
  };
  while (i < src.length) {
    const c = src[i] as number;
    if (c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    if (c === 0x3d) {
      // '=': valid only as the 3rd/4th byte of a quantum, followed by nothing but newlines.
      const have = quantum.length;
      if (have < 2) fail(i);
      let j = i + 1;
      const skipNewlines = (): void => {
        while (j < src.length && (src[j] === 0x0a || src[j] === 0x0d)) j++;
      };
      if (have === 2) {
        skipNewlines();
        if (j >= src.length) fail(src.length);
        if (src[j] !== 0x3d) fail(j - 1);
        j++;
      }
      skipNewlines();
      if (j < src.length) fail(j);
      const n = ((quantum[0] as number) << 18) | ((quantum[1] as number) << 12) | ((quantum[2] ?? 0) << 6);
      out.push(n >> 16);
      if (have === 3) out.push((n >> 8) & 0xff);
      quantum.length = 0;
      i = src.length;
      break;
    }
    const v = abc.indexOf(String.fromCharCode(c));
    if (v < 0 || c > 0x7f) fail(i);
    quantum.push(v);
    if (quantum.length === 4) {
      const n =
        ((quantum[0] as number) << 18) |
        ((quantum[1] as number) << 12) |
        ((quantum[2] as number) << 6) |
        (quantum[3] as number);
      out.push(n >> 16, (n >> 8) & 0xff, n & 0xff);
      quantum.length = 0;
    }
    i++;
  }
  if (quantum.length > 0) fail(src.length - quantum.length);
  return utf8Decode(Uint8Array.from(out));
}
