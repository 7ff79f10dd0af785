/**
 * Services and checks registered over the API survive a restart: each is a JSON file under
 * `<data_dir>/services/` or `<data_dir>/checks/`, named by a hash of its ID (IDs may hold `/`),
 * written atomically (temp file, fsync, rename, fsync of the directory). TTL check results are
 * kept under `<data_dir>/checks/state/` so a restart within the TTL keeps the last status.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ServiceCheckDefinition } from '../../core/config/types.js';
import type { CheckStatus } from '../../core/hooks.js';
import type { ServiceInput } from '../catalog/types.js';
import { isCheckStatus, type LocalCheckRow } from './definitions.js';

export interface PersistedService {
  Service: ServiceInput;
  Token: string;
}

export interface PersistedCheck {
  Check: LocalCheckRow;
  Definition: ServiceCheckDefinition;
  Token: string;
}

export interface PersistedCheckState {
  CheckID: string;
  Status: CheckStatus;
  Output: string;
  /** Milliseconds since the epoch after which the saved status no longer applies. */
  Expires: number;
}

export interface LoadResult<T> {
  entries: T[];
  /** Files that could not be read or parsed: reported, skipped, left in place for a human. */
  problems: { file: string; error: string }[];
}

/** Writes `data` so that a crash leaves either the old file or the new one, never a torn one. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** Makes a rename durable; some platforms cannot fsync a directory, which is not an error. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}

function fileName(id: string): string {
  return `${createHash('sha256').update(id, 'utf8').digest('hex')}.json`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPersistedService(value: unknown): value is PersistedService {
  return isObject(value) && isObject(value.Service) && typeof value.Service.ID === 'string';
}

function isPersistedCheck(value: unknown): value is PersistedCheck {
  return (
    isObject(value) &&
    isObject(value.Check) &&
    typeof value.Check.CheckID === 'string' &&
    isObject(value.Definition)
  );
}

function isPersistedState(value: unknown): value is PersistedCheckState {
  return (
    isObject(value) &&
    typeof value.CheckID === 'string' &&
    isCheckStatus(value.Status) &&
    typeof value.Output === 'string' &&
    typeof value.Expires === 'number'
  );
}

export class AgentPersistence {
  private readonly servicesDir: string;
  private readonly checksDir: string;
  private readonly stateDir: string;

  constructor(dataDir: string) {
    this.servicesDir = join(dataDir, 'services');
    this.checksDir = join(dataDir, 'checks');
    this.stateDir = join(dataDir, 'checks', 'state');
  }

  async init(): Promise<void> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    await mkdir(this.servicesDir, { recursive: true, mode: 0o700 });
  }

  saveService(entry: PersistedService): Promise<void> {
    return writeFileAtomic(join(this.servicesDir, fileName(entry.Service.ID)), JSON.stringify(entry));
  }

  removeService(id: string): Promise<void> {
    return rm(join(this.servicesDir, fileName(id)), { force: true });
  }

  loadServices(): Promise<LoadResult<PersistedService>> {
    return this.loadAll(this.servicesDir, isPersistedService);
  }

  saveCheck(entry: PersistedCheck): Promise<void> {
    return writeFileAtomic(join(this.checksDir, fileName(entry.Check.CheckID)), JSON.stringify(entry));
  }

  async removeCheck(id: string): Promise<void> {
    await rm(join(this.checksDir, fileName(id)), { force: true });
    await this.removeCheckState(id);
  }

  loadChecks(): Promise<LoadResult<PersistedCheck>> {
    return this.loadAll(this.checksDir, isPersistedCheck);
  }

  saveCheckState(state: PersistedCheckState): Promise<void> {
    return writeFileAtomic(join(this.stateDir, fileName(state.CheckID)), JSON.stringify(state));
  }

  removeCheckState(id: string): Promise<void> {
    return rm(join(this.stateDir, fileName(id)), { force: true });
  }

  /** The saved TTL status of `id`, if it is still within its TTL at `now`. */
  async loadCheckState(id: string, now: number): Promise<PersistedCheckState | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(join(this.stateDir, fileName(id)), 'utf8'));
    } catch {
      return undefined;
    }
    if (!isPersistedState(parsed) || parsed.CheckID !== id || parsed.Expires <= now) return undefined;
    return parsed;
  }

  private async loadAll<T>(dir: string, valid: (value: unknown) => value is T): Promise<LoadResult<T>> {
    const result: LoadResult<T> = { entries: [], problems: [] };
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return result;
      throw err;
    }
    for (const name of names) {
      const file = join(dir, name);
      try {
        const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
        if (!valid(parsed)) throw new Error('unexpected content');
        result.entries.push(parsed);
      } catch (err) {
        result.problems.push({ file, error: (err as Error).message });
      }
    }
    return result;
  }
}
