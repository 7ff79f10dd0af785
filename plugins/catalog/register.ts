/**
 * Consul's RegisterRequest and DeregisterRequest bodies (PUT /v1/catalog/register, /deregister)
 * decoded and checked into catalog commands. Field names match case-insensitively and `null` reads
 * as absent, as Go's encoding/json does; a value of the wrong type is a 400 in Go's words. The
 * checks Consul's Catalog.Register RPC makes before raft are made here, with its texts (500s).
 */
import { TribuneError } from '../../core/errors.js';
import type { CheckStatus } from '../../core/hooks.js';
import { formatGoDurationNs, parseGoDurationNs } from '../../core/util/duration.js';
import { field, type JsonValue } from '../../core/util/json.js';
import type {
  CatalogDeregisterCommand,
  CatalogRegisterCommand,
  CheckDefinitionRow,
  CheckInput,
  NodeInput,
  ServiceAddress,
  ServiceInput,
} from './types.js';

export interface DecodeContext {
  /** The agent's datacenter: the default, and the only one this server can write to. */
  datacenter: string;
}

type JsonObject = { [key: string]: JsonValue };

function decodeFailed(message: string): TribuneError {
  return new TribuneError('BAD_REQUEST', `Request decode failed: ${message}`);
}

function jsonKind(value: JsonValue): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'number';
  return typeof value;
}

function wrongType(value: JsonValue, path: string, goType: string): TribuneError {
  const kind = typeof value === 'number' && !Number.isInteger(value) ? `number ${value}` : jsonKind(value);
  return decodeFailed(`json: cannot unmarshal ${kind} into Go struct field ${path} of type ${goType}`);
}

/** Reads typed fields of one decoded object; `path` names it as Go's errors do (`RegisterRequest.Service`). */
class Fields {
  constructor(
    private readonly obj: JsonObject,
    private readonly path: string,
  ) {}

  private raw(name: string): JsonValue | undefined {
    const value = field(this.obj, name);
    return value === null ? undefined : value;
  }

  private where(name: string): string {
    return `${this.path}.${name}`;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  string(name: string): string {
    const value = this.raw(name);
    if (value === undefined) return '';
    if (typeof value !== 'string') throw wrongType(value, this.where(name), 'string');
    return value;
  }

  bool(name: string): boolean {
    const value = this.raw(name);
    if (value === undefined) return false;
    if (typeof value !== 'boolean') throw wrongType(value, this.where(name), 'bool');
    return value;
  }

  int(name: string): number {
    const value = this.raw(name);
    if (value === undefined) return 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      throw wrongType(value, this.where(name), 'int');
    return value;
  }

  object(name: string, goType: string): Fields | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!isObject(value)) throw wrongType(value, this.where(name), goType);
    return new Fields(value, this.where(name));
  }

  list(name: string, goType: string): JsonValue[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw wrongType(value, this.where(name), goType);
    return value;
  }

  stringList(name: string): string[] {
    return this.list(name, '[]string').map((item) => {
      if (typeof item !== 'string') throw wrongType(item, this.where(name), 'string');
      return item;
    });
  }

  /** A `map[string]T`; keys are kept as sent (map keys are not case-folded). */
  map<T>(name: string, goType: string, read: (value: JsonValue, path: string) => T): Record<string, T> {
    const value = this.raw(name);
    const out: Record<string, T> = {};
    if (value === undefined) return out;
    if (!isObject(value)) throw wrongType(value, this.where(name), goType);
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, {
        value: read(item, this.where(name)),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  stringMap(name: string): Record<string, string> {
    return this.map(name, 'map[string]string', (value, path) => {
      if (value === null) return '';
      if (typeof value !== 'string') throw wrongType(value, path, 'string');
      return value;
    });
  }

  /** A Go duration field: a string ("10s") or integer nanoseconds; '' when unset or zero. */
  duration(name: string): string {
    const value = this.raw(name);
    if (value === undefined) return '';
    let ns: bigint;
    if (typeof value === 'string') {
      try {
        ns = parseGoDurationNs(value);
      } catch (err) {
        throw decodeFailed((err as Error).message);
      }
    } else if (typeof value === 'number' && Number.isInteger(value)) ns = BigInt(value);
    else if (typeof value === 'bigint') ns = value;
    else throw wrongType(value, this.where(name), 'time.Duration');
    return ns === 0n ? '' : formatGoDurationNs(ns);
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rootFields(body: JsonValue | undefined, struct: string): Fields {
  if (body === undefined) throw decodeFailed('EOF');
  if (!isObject(body)) {
    throw decodeFailed(`json: cannot unmarshal ${jsonKind(body)} into Go value of type structs.${struct}`);
  }
  return new Fields(body, struct);
}

/** hashicorp/go-uuid's ParseUUID checks, with its error texts. */
function uuidProblem(id: string): string | undefined {
  if (id.length !== 36) return 'uuid string is wrong length';
  if (id[8] !== '-' || id[13] !== '-' || id[18] !== '-' || id[23] !== '-')
    return 'uuid is improperly formatted';
  const hex = id.slice(0, 8) + id.slice(9, 13) + id.slice(14, 18) + id.slice(19, 23) + id.slice(24);
  for (const char of hex) {
    if (!/[0-9a-fA-F]/.test(char)) {
      const code = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      return `encoding/hex: invalid byte: U+${code} '${char}'`;
    }
  }
  return undefined;
}

/** Addresses that mean "any interface" cannot be a service's address. */
function isAnyAddress(address: string): boolean {
  return ['0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0', '[0:0:0:0:0:0:0:0]'].includes(address);
}

function decodeNode(body: Fields, ctx: DecodeContext, skipNodeUpdate: boolean): NodeInput {
  const node: NodeInput = {
    ID: body.string('ID'),
    Node: body.string('Node'),
    Address: body.string('Address'),
    Datacenter: body.string('Datacenter') || ctx.datacenter,
    TaggedAddresses: body.stringMap('TaggedAddresses'),
    Meta: body.stringMap('NodeMeta'),
  };
  if (node.Datacenter !== ctx.datacenter) throw new TribuneError('NO_PATH_TO_DC', 'No path to datacenter');
  if (node.Node === '') throw new TribuneError('INTERNAL', 'Must provide node');
  if (node.ID !== '') {
    const problem = uuidProblem(node.ID);
    if (problem) throw new TribuneError('INTERNAL', `Bad node ID: ${problem}`);
  }
  if (node.Address === '' && !skipNodeUpdate) {
    throw new TribuneError('INTERNAL', 'Must provide address if SkipNodeUpdate is not set');
  }
  return node;
}

function decodeServiceAddress(value: JsonValue, path: string): ServiceAddress {
  if (!isObject(value)) throw wrongType(value, path, 'structs.ServiceAddress');
  const fields = new Fields(value, path);
  return { Address: fields.string('Address'), Port: fields.int('Port') };
}

/** Consul keeps the weights only when valid (passing ≥ 1, warning ≥ 0, both ≤ 65535), else 1/1. */
function decodeWeights(weights: Fields | undefined): ServiceInput['Weights'] {
  if (!weights) return { Passing: 1, Warning: 1 };
  const passing = weights.int('Passing');
  const warning = weights.int('Warning');
  const valid = passing >= 1 && warning >= 0 && passing <= 65535 && warning <= 65535;
  return valid ? { Passing: passing, Warning: warning } : { Passing: 1, Warning: 1 };
}

function decodeService(service: Fields): ServiceInput {
  const name = service.string('Service');
  const id = service.string('ID') || name;
  if (name === '') {
    throw new TribuneError(
      'INTERNAL',
      'Must provide service name (Service.Service) when service ID is provided',
    );
  }
  const address = service.string('Address');
  if (isAnyAddress(address)) throw new TribuneError('INTERNAL', 'Invalid service address');
  const tagged = service.map('TaggedAddresses', 'map[string]structs.ServiceAddress', decodeServiceAddress);
  return {
    Kind: service.string('Kind'),
    ID: id,
    Service: name,
    Tags: service.stringList('Tags'),
    Address: address,
    TaggedAddresses: Object.keys(tagged).length === 0 ? null : tagged,
    Meta: service.stringMap('Meta'),
    Port: service.int('Port'),
    SocketPath: service.string('SocketPath'),
    Weights: decodeWeights(service.object('Weights', 'structs.Weights')),
    EnableTagOverride: service.bool('EnableTagOverride'),
  };
}

function decodeDefinition(definition: Fields | undefined): CheckDefinitionRow {
  const out: CheckDefinitionRow = {};
  if (!definition) return out;
  const strings = ['HTTP', 'Method', 'Body', 'TLSServerName', 'TCP', 'UDP', 'GRPC'] as const;
  for (const name of strings) {
    const value = definition.string(name);
    if (value !== '') out[name] = value;
  }
  if (definition.bool('TLSSkipVerify')) out.TLSSkipVerify = true;
  if (definition.bool('GRPCUseTLS')) out.GRPCUseTLS = true;
  if (definition.has('Header')) {
    out.Header = definition.map('Header', 'map[string][]string', (value, path) => {
      if (value === null) return [];
      if (!Array.isArray(value)) throw wrongType(value, path, '[]string');
      return value.map((item) => {
        if (typeof item !== 'string') throw wrongType(item, path, 'string');
        return item;
      });
    });
  }
  // The api package sends IntervalDuration & co.; Consul accepts both spellings.
  const durations = ['Interval', 'Timeout', 'DeregisterCriticalServiceAfter'] as const;
  for (const name of durations) {
    const value = definition.duration(name) || definition.duration(`${name}Duration`);
    if (value !== '') out[name] = value;
  }
  return out;
}

/** The check type Consul derives from a catalog check's definition when none is given. */
function definitionType(definition: CheckDefinitionRow): string {
  if (definition.Interval === undefined) return '';
  if (definition.GRPC !== undefined) return 'grpc';
  if (definition.HTTP !== undefined) return 'http';
  if (definition.TCP !== undefined) return 'tcp';
  if (definition.UDP !== undefined) return 'udp';
  return '';
}

const STATUSES: readonly string[] = ['passing', 'warning', 'critical'];

function decodeCheck(check: Fields, nodeName: string): CheckInput {
  const name = check.string('Name');
  const checkId = check.string('CheckID') || name;
  const checkNode = check.string('Node');
  if (checkNode !== '' && checkNode.toLowerCase() !== nodeName.toLowerCase()) {
    throw new TribuneError(
      'INTERNAL',
      `Node '${checkNode}' for check '${checkId}' doesn't match register request node '${nodeName}'`,
    );
  }
  if (checkId === '') throw new TribuneError('INTERNAL', 'Missing check ID');
  const status = check.string('Status') || 'critical';
  if (!STATUSES.includes(status)) throw new TribuneError('BAD_REQUEST', 'Bad check status');
  const definition = decodeDefinition(check.object('Definition', 'structs.HealthCheckDefinition'));
  return {
    CheckID: checkId,
    Name: name,
    Status: status as CheckStatus,
    Notes: check.string('Notes'),
    Output: check.string('Output'),
    ServiceID: check.string('ServiceID'),
    Type: check.string('Type') || definitionType(definition),
    Interval: check.string('Interval'),
    Timeout: check.string('Timeout'),
    ExposedPort: check.int('ExposedPort'),
    Definition: definition,
  };
}

/** PUT /v1/catalog/register body → `catalog.register`. */
export function decodeRegisterRequest(
  body: JsonValue | undefined,
  ctx: DecodeContext,
): CatalogRegisterCommand {
  const root = rootFields(body, 'RegisterRequest');
  const skipNodeUpdate = root.bool('SkipNodeUpdate');
  // Decode everything first so a type error is a 400 before any semantic check.
  const serviceFields = root.object('Service', 'structs.NodeService');
  const singleCheck = root.object('Check', 'structs.HealthCheck');
  const checkFields = root.list('Checks', '[]*structs.HealthCheck').map((item, i) => {
    if (!isObject(item)) throw wrongType(item, `RegisterRequest.Checks[${i}]`, 'structs.HealthCheck');
    return new Fields(item, 'RegisterRequest.Checks');
  });
  const node = decodeNode(root, ctx, skipNodeUpdate);
  const service = serviceFields ? decodeService(serviceFields) : null;
  // Consul appends the single Check after Checks.
  if (singleCheck) checkFields.push(singleCheck);
  const checks = checkFields.map((check) => decodeCheck(check, node.Node));
  return { type: 'catalog.register', node, skipNodeUpdate, service, checks };
}

/** PUT /v1/catalog/deregister body → `catalog.deregister`. */
export function decodeDeregisterRequest(
  body: JsonValue | undefined,
  ctx: DecodeContext,
): CatalogDeregisterCommand {
  const root = rootFields(body, 'DeregisterRequest');
  const datacenter = root.string('Datacenter') || ctx.datacenter;
  const node = root.string('Node');
  const serviceId = root.string('ServiceID');
  const checkId = root.string('CheckID');
  if (datacenter !== ctx.datacenter) throw new TribuneError('NO_PATH_TO_DC', 'No path to datacenter');
  if (node === '') throw new TribuneError('INTERNAL', 'Must provide node');
  return {
    type: 'catalog.deregister',
    node,
    serviceId: serviceId === '' ? null : serviceId,
    checkId: checkId === '' ? null : checkId,
  };
}
