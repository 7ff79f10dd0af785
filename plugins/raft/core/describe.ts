/**
 * One-line text forms of entries, messages and Readys, for logs and the interaction tests'
 * expected output. Stable by design: changing a format rewrites every test script.
 */
import { decodeConfChange, describeConfChange } from './conf-change.js';
import type { ConfState, Entry, HardState, Message, ReadState, Ready, Snapshot, SoftState } from './types.js';

const PRINTABLE = /^[\x20-\x7e]*$/;

export function describeData(data: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  if (PRINTABLE.test(text)) return JSON.stringify(text);
  return `0x${[...data].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function describeEntry(e: Entry): string {
  if (e.type === 'conf-change') {
    let body: string;
    try {
      body = describeConfChange(decodeConfChange(e.data));
    } catch {
      body = `<undecodable ${describeData(e.data)}>`;
    }
    return `${e.term}/${e.index} conf-change ${body}`;
  }
  return `${e.term}/${e.index} normal ${describeData(e.data)}`;
}

export function describeConfState(c: ConfState): string {
  const learners = c.learners.length > 0 ? ` learners=(${c.learners.join(' ')})` : '';
  return `voters=(${c.voters.join(' ')})${learners}`;
}

export function describeSnapshot(s: Snapshot): string {
  const { index, term, confState } = s.metadata;
  return `Index:${index} Term:${term} ${describeConfState(confState)} Data:${describeData(s.data)}`;
}

export function describeHardState(h: HardState): string {
  return `Term:${h.term} Vote:${h.vote || '0'} Commit:${h.commit}`;
}

export function describeSoftState(s: SoftState): string {
  return `Lead:${s.lead || '0'} Role:${s.role}`;
}

export function describeReadState(r: ReadState): string {
  return `Index:${r.index} RequestId:${r.requestId} Via:${r.via}`;
}

export function describeMessage(m: Message): string {
  const parts = [`${m.from}->${m.to} ${m.type} Term:${m.term} Log:${m.logTerm}/${m.index}`];
  if (m.commit !== 0) parts.push(`Commit:${m.commit}`);
  if (m.reject) parts.push(m.type === 'MsgAppResp' ? `Rejected (Hint: ${m.rejectHint})` : 'Rejected');
  if (m.context !== undefined) parts.push(`Context:${m.context}`);
  if (m.readMode !== undefined) parts.push(`ReadMode:${m.readMode}`);
  if (m.stamp !== 0) parts.push(`Stamp:${m.stamp}`);
  if (m.entries.length > 0) parts.push(`Entries:[${m.entries.map(describeEntry).join(', ')}]`);
  if (m.snapshot) parts.push(`Snapshot: ${describeSnapshot(m.snapshot)}`);
  return parts.join(' ');
}

/** A multi-line description of a Ready, one item a line. */
export function describeReady(rd: Ready): string[] {
  const lines = [`Ready MustSync=${rd.mustSync}:`];
  if (rd.softState) lines.push(describeSoftState(rd.softState));
  if (rd.hardState) lines.push(`HardState ${describeHardState(rd.hardState)}`);
  if (rd.snapshot) lines.push(`Snapshot ${describeSnapshot(rd.snapshot)}`);
  if (rd.entries.length > 0) lines.push('Entries:', ...rd.entries.map(describeEntry));
  if (rd.committedEntries.length > 0)
    lines.push('CommittedEntries:', ...rd.committedEntries.map(describeEntry));
  if (rd.messages.length > 0) lines.push('Messages:', ...rd.messages.map(describeMessage));
  if (rd.readStates.length > 0) lines.push('ReadStates:', ...rd.readStates.map(describeReadState));
  return lines;
}
