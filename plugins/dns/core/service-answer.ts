/**
 * Service lookups: A/AAAA per healthy instance, SRV with targets and glue, TXT with node meta. The
 * instances are drawn in random order only as far as the response can carry (one more, so that the
 * fitting step knows some were left out).
 */
import { addressFacts, nodeTargetName } from './facts.js';
import { addressRecord, hostnameTarget, join, metaTxtRecords, Shuffle } from './records.js';
import { type AnswerContext, negative, recordsOrNoData, wantsV4, wantsV6 } from './response.js';
import { serviceTtl } from './ttl.js';
import { type DnsMessage, type DnsRecord, RecordType, ResponseCode, type SrvRecord } from './types.js';
import type { DnsServiceInstance } from './view.js';

/** RR header after a compressed owner name: pointer (2) + type, class, TTL, RDLENGTH (10). */
const MIN_RECORD_OVERHEAD = 12;

/** A lower bound of a record's encoded size with compression (SRV targets go out in full). */
function minimalSize(record: DnsRecord): number {
  switch (record.type) {
    case 'A':
      return MIN_RECORD_OVERHEAD + 4;
    case 'AAAA':
      return MIN_RECORD_OVERHEAD + 16;
    case 'SRV':
      return MIN_RECORD_OVERHEAD + 6 + record.data.target.length + 2;
    case 'TXT':
      return MIN_RECORD_OVERHEAD + record.data.reduce((sum, text) => sum + 1 + text.length, 0);
    default:
      return MIN_RECORD_OVERHEAD + 2;
  }
}

function isServable(instance: DnsServiceInstance, onlyPassing: boolean): boolean {
  return instance.health === 'passing' || (instance.health === 'warning' && !onlyPassing);
}

function hasTag(tags: readonly string[], wanted: string): boolean {
  const lower = wanted.toLowerCase();
  return tags.some((tag) => tag.toLowerCase() === lower);
}

export function serviceAnswer(
  context: AnswerContext,
  response: DnsMessage,
  service: string,
  tag: string | undefined,
): DnsMessage {
  const { view, options, qtype } = context;
  const healthy = view
    .serviceInstances(service)
    .filter((i) => isServable(i, options.onlyPassing) && (tag === undefined || hasTag(i.tags, tag)));
  if (healthy.length === 0) return negative(context, response, ResponseCode.NXDOMAIN);
  const instances = new Shuffle(healthy, options.random);
  const ttl = serviceTtl(options.serviceTtls, service);
  // One answer beyond what fits tells the fitting step that some were left out (the TC bit).
  const carried = (options.answerLimit ?? Number.POSITIVE_INFINITY) + 1;
  if (qtype === RecordType.A || qtype === RecordType.AAAA || qtype === RecordType.ANY) {
    // a_record_limit is policy, not lack of room: it caps the answer without a TC bit.
    const wanted = options.aRecordLimit > 0 ? Math.min(options.aRecordLimit, carried) : carried;
    return recordsOrNoData(context, response, serviceAddresses(context, instances, ttl, wanted));
  }
  if (qtype === RecordType.SRV) {
    const { answers, additionals } = serviceSrv(context, instances, ttl, carried);
    return recordsOrNoData(context, response, answers, additionals);
  }
  if (qtype === RecordType.TXT) {
    const seen = new Set<string>();
    const records: DnsRecord[] = [];
    for (let instance = instances.next(); instance !== undefined; instance = instances.next()) {
      if (seen.has(instance.node.name)) continue;
      seen.add(instance.node.name);
      records.push(...metaTxtRecords(context.qname, instance.node.meta, ttl));
    }
    return recordsOrNoData(context, response, records);
  }
  return negative(context, response, ResponseCode.NOERROR);
}

/**
 * Up to `wanted` A/AAAA records, one per distinct address (the service's own, else its node's).
 * When every instance is known only by hostname, a single CNAME to the first one (several CNAMEs
 * for one name are illegal).
 */
function serviceAddresses(
  context: AnswerContext,
  instances: Shuffle<DnsServiceInstance>,
  ttl: number,
  wanted: number,
): DnsRecord[] {
  const { qname, qtype } = context;
  const seen = new Set<string>();
  const records: DnsRecord[] = [];
  let hostname: string | undefined;
  const budget = context.options.answerBytes ?? Number.POSITIVE_INFINITY;
  let bytes = 0;
  for (
    let instance = instances.next();
    instance !== undefined && records.length < wanted && bytes <= budget;
    instance = instances.next()
  ) {
    const address = instance.address || instance.node.address;
    const record = addressRecord(qname, address, ttl);
    if (!record) {
      hostname ??= hostnameTarget(address);
      continue;
    }
    if (seen.has(record.data)) continue;
    seen.add(record.data);
    if ((record.type === 'A' && wantsV4(qtype)) || (record.type === 'AAAA' && wantsV6(qtype))) {
      records.push(record);
      bytes += minimalSize(record);
    }
  }
  if (records.length === 0 && seen.size === 0 && hostname !== undefined) {
    return [{ name: qname, type: 'CNAME', ttl, data: hostname }];
  }
  return records;
}

/**
 * SRV 1 <weight> <port> <target> per node:address:port. The target is the node's name in the domain
 * when the instance uses the node's address, `<hex>.addr.<dc>.<domain>` when the service has an IP
 * of its own, and the hostname itself otherwise; IP targets get their A/AAAA (and node targets the
 * node's meta as TXT) in the additional section.
 */
function serviceSrv(
  context: AnswerContext,
  instances: Shuffle<DnsServiceInstance>,
  ttl: number,
  wanted: number,
): { answers: SrvRecord[]; additionals: DnsRecord[] } {
  const { view, domain, options, qname } = context;
  const answers: SrvRecord[] = [];
  const additionals: DnsRecord[] = [];
  const seenTuples = new Set<string>();
  const seenTargets = new Set<string>();
  const budget = options.answerBytes ?? Number.POSITIVE_INFINITY;
  let bytes = 0;
  for (
    let instance = instances.next();
    instance !== undefined && answers.length < wanted && bytes <= budget;
    instance = instances.next()
  ) {
    const ownAddress = instance.address !== '';
    const address = ownAddress ? instance.address : instance.node.address;
    const tuple = `${instance.node.name}\u0000${address}\u0000${instance.port}`;
    if (seenTuples.has(tuple)) continue;
    seenTuples.add(tuple);
    const facts = addressFacts(address);
    const family = facts.family;
    let target: string | undefined;
    let isNodeTarget = false;
    if (family !== undefined && !ownAddress) {
      target = nodeTargetName(instance.node, view.datacenter, domain);
      isNodeTarget = target !== undefined;
    }
    if (family !== undefined && target === undefined)
      target = join(facts.hex, 'addr', view.datacenter, domain);
    if (family === undefined) target = hostnameTarget(address);
    if (target === undefined) continue;
    const weight = instance.health === 'passing' ? instance.weights.passing : instance.weights.warning;
    const srv: SrvRecord = {
      name: qname,
      type: 'SRV',
      ttl,
      data: { priority: 1, weight, port: instance.port, target },
    };
    answers.push(srv);
    bytes += minimalSize(srv);
    if (family === undefined || seenTargets.has(target)) continue;
    seenTargets.add(target);
    const glue = addressRecord(target, address, ttl);
    if (glue) {
      additionals.push(glue);
      bytes += minimalSize(glue);
    }
    if (isNodeTarget && options.nodeMetaTxt) {
      for (const txt of metaTxtRecords(target, instance.node.meta, ttl)) {
        additionals.push(txt);
        bytes += minimalSize(txt);
      }
    }
  }
  return { answers, additionals };
}
