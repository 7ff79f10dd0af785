/**
 * The two protobuf messages of grpc.health.v1.Health/Check, encoded by hand (no proto loader):
 * HealthCheckRequest { string service = 1; } and HealthCheckResponse { ServingStatus status = 1; }.
 * Pure.
 */

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

export function encodeHealthCheckRequest(service: string): Uint8Array {
  if (service === '') return new Uint8Array(0);
  const name = new TextEncoder().encode(service);
  return Uint8Array.from([0x0a, ...varint(name.length), ...name]);
}

export function decodeHealthCheckRequest(bytes: Uint8Array): { service: string } {
  let service = '';
  forEachField(bytes, (field, wireType, value) => {
    if (field === 1 && wireType === 2 && value instanceof Uint8Array)
      service = new TextDecoder().decode(value);
  });
  return { service };
}

export function encodeHealthCheckResponse(status: number): Uint8Array {
  return status === 0 ? new Uint8Array(0) : Uint8Array.from([0x08, ...varint(status)]);
}

/** The status field (0 = UNKNOWN when absent); throws on a malformed message. */
export function decodeHealthCheckResponse(bytes: Uint8Array): { status: number } {
  let status = 0;
  forEachField(bytes, (field, wireType, value) => {
    if (field === 1 && wireType === 0 && typeof value === 'number') status = value;
  });
  return { status };
}

const MAX_FIELDS = 10_000;

/** Walks the fields of a message; unknown fields are skipped as protobuf requires. */
function forEachField(
  bytes: Uint8Array,
  visit: (field: number, wireType: number, value: number | Uint8Array) => void,
): void {
  let at = 0;
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      const byte = bytes[at++];
      if (byte === undefined) throw new Error('truncated varint');
      if (shift < 32) result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
    throw new Error('varint too long');
  };
  for (let fields = 0; at < bytes.length; fields++) {
    if (fields >= MAX_FIELDS) throw new Error('too many fields');
    const key = readVarint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    if (wireType === 0) visit(field, wireType, readVarint());
    else if (wireType === 2) {
      const length = readVarint();
      if (at + length > bytes.length) throw new Error('truncated field');
      visit(field, wireType, bytes.subarray(at, at + length));
      at += length;
    } else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
    if (at > bytes.length) throw new Error('truncated field');
  }
}
