/**
 * The node's identity: `node_id` from the config, else the one persisted in `<data_dir>/node-id`, else a
 * fresh random UUID (persisted when there is a data dir). Consul does the same, so a restarted agent keeps
 * its ID and a rebuilt one with a wiped data dir gets a new one instead of colliding.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TribuneError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function resolveNodeId(
  configured: string | undefined,
  dataDir: string | undefined,
): Promise<string> {
  if (configured) return configured.toLowerCase();
  if (!dataDir) return randomUUID();
  const file = join(dataDir, 'node-id');
  let stored: string | undefined;
  try {
    stored = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (stored !== undefined) {
    if (!UUID.test(stored)) {
      throw new TribuneError(
        'CONFIG_INVALID',
        `${file} holds an invalid node ID (${JSON.stringify(stored)}); fix or delete it`,
      );
    }
    return stored.toLowerCase();
  }
  const fresh = randomUUID();
  await mkdir(dataDir, { recursive: true });
  await writeFile(`${file}.tmp`, fresh);
  await rename(`${file}.tmp`, file);
  return fresh;
}
