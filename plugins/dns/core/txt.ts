/** Node meta as TXT text: RFC 1464 `key=value` and the split into 255-byte character strings. */

/** RFC 1464 `key=value`: backquote escapes in the key; `rfc1035-*` keys carry the bare value. */
export function rfc1464(key: string, value: string): string {
  if (key.startsWith('rfc1035-')) return value;
  let escaped = key.replace(/`/g, '``').replace(/=/g, '`=');
  const leading = /^ +/.exec(escaped)?.[0].length ?? 0;
  const trailing = leading === escaped.length ? 0 : (/ +$/.exec(escaped)?.[0].length ?? 0);
  escaped = '` '.repeat(leading) + escaped.slice(leading, escaped.length - trailing) + '` '.repeat(trailing);
  return `${escaped}=${value.replace(/`/g, '``')}`;
}

const textEncoder = new TextEncoder();

/** Splits text into TXT character strings of at most 255 bytes, never inside a character. */
export function characterStrings(text: string): string[] {
  if (textEncoder.encode(text).length <= 255) return [text];
  const out: string[] = [];
  let current = '';
  let size = 0;
  for (const char of text) {
    const bytes = textEncoder.encode(char).length;
    if (size + bytes > 255) {
      out.push(current);
      current = '';
      size = 0;
    }
    current += char;
    size += bytes;
  }
  out.push(current);
  return out;
}
