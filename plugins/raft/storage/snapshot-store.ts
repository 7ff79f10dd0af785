/**
 * Raft snapshots as files under `<data_dir>/raft/snapshots/`, one per snapshot, named by index and
 * term. A file is a fixed header (magic, format, index, term, body length, sha256) and the body (the
 * encoded state store). The checksum covers the header fields and the body, so a flipped byte
 * anywhere is caught on read. Writes go to a temp file that is fsynced, renamed into place and the
 * directory fsynced, so a crash leaves either the old set of files or the new one, never half a
 * snapshot under a final name. The newest `retain` snapshots are kept.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TribuneError } from '../../../core/errors.js';

const MAGIC = Buffer.from('TRBSNAP\0', 'latin1');
const FORMAT = 1;
/** magic 8 | format u32 | index u64 | term u64 | length u64 | sha256 32 */
const FIELDS_END = 36;
export const SNAPSHOT_HEADER_BYTES = FIELDS_END + 32;
const NAME = /^snapshot-(\d{20})-(\d+)\.snap$/;

export interface SnapshotRef {
  readonly index: number;
  readonly term: number;
  /** Full path of the file. */
  readonly file: string;
}

export interface SnapshotMeta extends SnapshotRef {
  readonly length: number;
  /** sha256, hex. */
  readonly checksum: string;
}

function fileName(index: number, term: number): string {
  return `snapshot-${String(index).padStart(20, '0')}-${term}.snap`;
}

function headerFields(index: number, term: number, length: number): Buffer {
  const fields = Buffer.alloc(FIELDS_END);
  MAGIC.copy(fields, 0);
  fields.writeUInt32BE(FORMAT, 8);
  fields.writeBigUInt64BE(BigInt(index), 12);
  fields.writeBigUInt64BE(BigInt(term), 20);
  fields.writeBigUInt64BE(BigInt(length), 28);
  return fields;
}

function checksum(fields: Buffer, body: Uint8Array): Buffer {
  return createHash('sha256').update(fields).update(body).digest();
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class SnapshotStore {
  constructor(
    readonly dir: string,
    private readonly retain = 2,
  ) {}

  /** Creates the directory and removes temp files a crash left behind. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      if (name.endsWith('.tmp')) await rm(join(this.dir, name), { force: true });
    }
  }

  /** Snapshot files by their names, newest (highest index) first. Contents are not checked here. */
  async list(): Promise<SnapshotRef[]> {
    const refs: SnapshotRef[] = [];
    for (const name of await readdir(this.dir)) {
      const match = NAME.exec(name);
      if (!match) continue;
      refs.push({ index: Number(match[1]), term: Number(match[2]), file: join(this.dir, name) });
    }
    return refs.sort((a, b) => b.index - a.index || b.term - a.term);
  }

  /** Writes a snapshot durably, then prunes to the newest `retain`. */
  async write(index: number, term: number, body: Uint8Array): Promise<SnapshotMeta> {
    const file = join(this.dir, fileName(index, term));
    const temp = `${file}.tmp`;
    const fields = headerFields(index, term, body.length);
    const sum = checksum(fields, body);
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writev([fields, sum, body]);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
      await fsyncDirectory(this.dir);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    await this.prune();
    return { index, term, file, length: body.length, checksum: sum.toString('hex') };
  }

  /** Reads and verifies one snapshot; throws STORAGE_CORRUPT naming the file if anything is off. */
  async read(ref: SnapshotRef): Promise<{ meta: SnapshotMeta; body: Buffer }> {
    const bytes = await readFile(ref.file);
    const fail = (reason: string) =>
      new TribuneError('STORAGE_CORRUPT', `snapshot file ${ref.file} is corrupt: ${reason}`, {
        file: ref.file,
      });
    if (bytes.length < SNAPSHOT_HEADER_BYTES) throw fail(`only ${bytes.length} bytes`);
    if (!bytes.subarray(0, 8).equals(MAGIC)) throw fail('not a snapshot file (bad magic)');
    const format = bytes.readUInt32BE(8);
    if (format !== FORMAT) throw fail(`unknown format ${format}`);
    const index = Number(bytes.readBigUInt64BE(12));
    const term = Number(bytes.readBigUInt64BE(20));
    const length = Number(bytes.readBigUInt64BE(28));
    const stored = bytes.subarray(FIELDS_END, SNAPSHOT_HEADER_BYTES);
    const body = bytes.subarray(SNAPSHOT_HEADER_BYTES);
    if (length !== body.length) throw fail(`header says ${length} body bytes, file has ${body.length}`);
    const actual = checksum(bytes.subarray(0, FIELDS_END), body);
    if (!actual.equals(stored)) throw fail('checksum mismatch');
    if (index !== ref.index || term !== ref.term) {
      throw fail(`header says index ${index} term ${term}, the name says ${ref.index} term ${ref.term}`);
    }
    return { meta: { index, term, file: ref.file, length, checksum: actual.toString('hex') }, body };
  }

  private async prune(): Promise<void> {
    const refs = await this.list();
    for (const stale of refs.slice(this.retain)) await rm(stale.file, { force: true });
  }
}
