/** Node lookups (`<node>.node`: address, CNAME, meta as TXT) and `<hex>.addr` lookups. */
import { hexToIp } from './ip.js';
import { addressRecord, hostnameTarget, metaTxtRecords } from './records.js';
import { type AnswerContext, negative, positive, recordsOrNoData, wantsV4, wantsV6 } from './response.js';
import { type DnsMessage, type DnsRecord, RecordType, ResponseCode } from './types.js';

export function nodeAnswer(context: AnswerContext, response: DnsMessage, name: string): DnsMessage {
  const { view, options, qname, qtype } = context;
  const node = view.node(name);
  if (!node) return negative(context, response, ResponseCode.NXDOMAIN);
  const ttl = options.nodeTtl;
  const addresses: DnsRecord[] = [];
  const record = addressRecord(qname, node.address, ttl);
  if (record) {
    if ((record.type === 'A' && wantsV4(qtype)) || (record.type === 'AAAA' && wantsV6(qtype)))
      addresses.push(record);
  } else if (qtype === RecordType.A || qtype === RecordType.AAAA || qtype === RecordType.ANY) {
    const hostname = hostnameTarget(node.address);
    if (hostname !== undefined) addresses.push({ name: qname, type: 'CNAME', ttl, data: hostname });
  }
  const meta = metaTxtRecords(qname, node.meta, ttl);
  if (qtype === RecordType.TXT) return recordsOrNoData(context, response, meta);
  if (qtype === RecordType.ANY) return recordsOrNoData(context, response, [...addresses, ...meta]);
  const extra = options.nodeMetaTxt && addresses.length > 0 ? meta : [];
  return recordsOrNoData(context, response, addresses, extra);
}

export function addrAnswer(context: AnswerContext, response: DnsMessage, hex: string): DnsMessage {
  const { options, qname, qtype } = context;
  const ip = hexToIp(hex);
  if (!ip) return negative(context, response, ResponseCode.NXDOMAIN);
  const record = addressRecord(qname, ip.address, options.nodeTtl) as DnsRecord;
  const matches = ip.family === 4 ? wantsV4(qtype) : wantsV6(qtype);
  if (matches) return positive(response, [record]);
  // The name exists: NODATA, with the address it names as additional information.
  return { ...negative(context, response, ResponseCode.NOERROR), additionals: [record] };
}
