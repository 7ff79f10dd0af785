/**
 * What a query name asks for. Labels are read right to left, in any case: strip the domain (or the
 * alternative domain), find the right-most kind label (`service`, `node`, `addr`, …); what follows it
 * is the datacenter (`.dc1` or `.dc1.dc`), what precedes it names the thing. For SRV the `.service`
 * label may be left out when the name is RFC 2782 style (`_web._tcp.consul`).
 */
import { RecordType } from './types.js';

/** `consul.` / `.Consul` → `consul`: lower case, no outer dots. */
export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^\.+/, '').replace(/\.+$/, '');
}

/** Presentation labels of a name (escaped dots stay inside their label). */
export function splitLabels(name: string): string[] {
  if (name === '') return [];
  if (!name.includes('\\')) return name.split('.');
  const labels: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] as string;
    if (ch === '\\' && i + 1 < name.length) {
      current += ch + (name[i + 1] as string);
      i++;
    } else if (ch === '.') {
      labels.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  labels.push(current);
  return labels;
}

export interface DomainMatch {
  /** The domain that matched, normalised (`consul`). */
  domain: string;
  /** The labels before it, as asked (case kept). */
  labels: string[];
}

/** The longest of `domains` that `name` ends with, label for label and in any case. */
export function matchDomain(name: string, domains: readonly string[]): DomainMatch | undefined {
  if (!name.includes('\\')) {
    // No escapes: a suffix test on the text is a label test (this runs for every query).
    const lower = name.toLowerCase();
    let best: DomainMatch | undefined;
    for (const domain of domains) {
      if (best && domain.length <= best.domain.length) continue;
      if (lower === domain) best = { domain, labels: [] };
      else if (
        domain === '' ||
        (lower.endsWith(domain) && lower.charCodeAt(lower.length - domain.length - 1) === 0x2e)
      ) {
        const front = domain === '' ? name : name.slice(0, name.length - domain.length - 1);
        best = { domain, labels: front === '' ? [] : front.split('.') };
      }
    }
    return best;
  }
  const labels = splitLabels(name);
  const lower = labels.map((label) => label.toLowerCase());
  let best: DomainMatch | undefined;
  for (const domain of domains) {
    const domainLabels = domain === '' ? [] : domain.split('.');
    if (domainLabels.length > lower.length) continue;
    const offset = lower.length - domainLabels.length;
    if (!domainLabels.every((label, i) => lower[offset + i] === label)) continue;
    if (!best || domain.length > best.domain.length) best = { domain, labels: labels.slice(0, offset) };
  }
  return best;
}

export type Lookup =
  | { kind: 'apex' }
  | { kind: 'service'; service: string; tag: string | undefined; datacenter: string | undefined }
  | { kind: 'node'; node: string; datacenter: string | undefined }
  | { kind: 'addr'; hex: string; datacenter: string | undefined }
  /** Kinds Consul knows that this agent does not serve (prepared queries, mesh). */
  | { kind: 'unsupported'; label: string; datacenter: string | undefined }
  | { kind: 'invalid' };

const SERVED_KINDS = new Set(['service', 'node', 'addr']);
const UNSERVED_KINDS = new Set(['query', 'connect', 'ingress', 'virtual']);

/** `[]` → local, `[dc]` or `[dc, 'dc']` → dc, anything else is not a datacenter suffix. */
function datacenterOf(suffix: readonly string[]): { ok: boolean; datacenter: string | undefined } {
  if (suffix.length === 0) return { ok: true, datacenter: undefined };
  if (suffix.length === 1) return { ok: true, datacenter: suffix[0] };
  if (suffix.length === 2 && suffix[1] === 'dc') return { ok: true, datacenter: suffix[0] };
  return { ok: false, datacenter: undefined };
}

function serviceLookup(parts: readonly string[], datacenter: string | undefined): Lookup {
  const n = parts.length;
  if (n === 0) return { kind: 'invalid' };
  const first = parts[0] as string;
  const second = parts[1] as string;
  if (n === 2 && first.startsWith('_') && second.startsWith('_')) {
    // RFC 2782: _<service>._<tag>; `_tcp` (the protocol) filters nothing.
    const tag = second.slice(1);
    return {
      kind: 'service',
      service: first.slice(1),
      tag: tag.toLowerCase() === 'tcp' ? undefined : tag,
      datacenter,
    };
  }
  // <tag>.<service>: the tag is every label before the service, dots included.
  return {
    kind: 'service',
    service: parts[n - 1] as string,
    tag: n > 1 ? parts.slice(0, n - 1).join('.') : undefined,
    datacenter,
  };
}

/** Reads the labels in front of the domain. */
export function parseLookup(labels: readonly string[], qtype: number): Lookup {
  if (labels.length === 0) return { kind: 'apex' };
  const lower = labels.map((label) => label.toLowerCase());
  for (let i = lower.length - 1; i >= 0; i--) {
    const label = lower[i] as string;
    const isKind = SERVED_KINDS.has(label) || UNSERVED_KINDS.has(label);
    const impliedService = !isKind && qtype === RecordType.SRV && label.startsWith('_');
    if (!isKind && !impliedService) continue;
    const parts = impliedService ? labels.slice(0, i + 1) : labels.slice(0, i);
    const { ok, datacenter } = datacenterOf(lower.slice(i + 1));
    if (!ok) return { kind: 'invalid' };
    if (impliedService || label === 'service') return serviceLookup(parts, datacenter);
    if (UNSERVED_KINDS.has(label)) return { kind: 'unsupported', label, datacenter };
    if (parts.length === 0) return { kind: 'invalid' };
    if (label === 'node') return { kind: 'node', node: parts.join('.'), datacenter };
    return parts.length === 1 ? { kind: 'addr', hex: parts[0] as string, datacenter } : { kind: 'invalid' };
  }
  return { kind: 'invalid' };
}
