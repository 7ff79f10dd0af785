/** Encodes the whole state store to bytes and back (msgpack), for raft snapshots and the snapshot API. */
import { Packr } from 'msgpackr';
import { TribuneError } from '../errors.js';
import type { StateStore, StoreImage } from './store.js';

const SNAPSHOT_FORMAT = 1;
const packr = new Packr({ useRecords: false, moreTypes: true, largeBigIntToFloat: false });

export function encodeStore(store: StateStore): Buffer {
  return packr.pack({ format: SNAPSHOT_FORMAT, image: store.image() });
}

export function decodeStoreImage(bytes: Uint8Array): StoreImage {
  let decoded: unknown;
  try {
    decoded = packr.unpack(bytes);
  } catch (err) {
    throw new TribuneError('STORAGE_CORRUPT', `snapshot does not decode: ${(err as Error).message}`);
  }
  const envelope = decoded as { format?: unknown; image?: StoreImage };
  if (envelope?.format !== SNAPSHOT_FORMAT || typeof envelope.image?.lastIndex !== 'number') {
    throw new TribuneError('STORAGE_CORRUPT', `snapshot has an unknown format (${String(envelope?.format)})`);
  }
  return envelope.image;
}

export function restoreStore(store: StateStore, bytes: Uint8Array): void {
  store.restore(decodeStoreImage(bytes));
}
