/**
 * The client subcommands by name. main.ts looks `tribune <cmd> [sub] args…` up here (two-word names
 * for the grouped commands) and passes the remaining arguments to the runner.
 */
import type { CommandRunner } from '../io.js';
import { runCatalogDatacenters, runCatalogNodes, runCatalogServices } from './catalog.js';
import { runInfo } from './info.js';
import { runJoin } from './join.js';
import { runKvDelete } from './kv-delete.js';
import { runKvExport } from './kv-export.js';
import { runKvGet } from './kv-get.js';
import { runKvImport } from './kv-import.js';
import { runKvPut } from './kv-put.js';
import { runLeave } from './leave.js';
import { runMembers } from './members.js';
import { runReload } from './reload.js';
import { runServicesDeregister, runServicesRegister } from './services.js';
import { runVersion } from './version.js';

export type { CliIO, CommandRunner } from '../io.js';

export const clientCommands: Record<string, CommandRunner> = {
  members: runMembers,
  reload: runReload,
  version: runVersion,
  info: runInfo,
  'kv get': runKvGet,
  'kv put': runKvPut,
  'kv delete': runKvDelete,
  'kv export': runKvExport,
  'kv import': runKvImport,
  'catalog datacenters': runCatalogDatacenters,
  'catalog nodes': runCatalogNodes,
  'catalog services': runCatalogServices,
  'services register': runServicesRegister,
  'services deregister': runServicesDeregister,
  join: runJoin,
  leave: runLeave,
};
