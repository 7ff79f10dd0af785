/**
 * The leader role: how it steps messages and what its tick does (heartbeats, check-quorum).
 */
import type { Progress } from './progress.js';
import { OK, type Raft } from './raft.js';
import type { Message, ProposeResult } from './types.js';

export function tickHeartbeat(r: Raft): void {
  r.heartbeatElapsed++;
  r.electionElapsed++;
  if (r.electionElapsed >= r.cfg.electionTick) {
    r.electionElapsed = 0;
    if (r.cfg.checkQuorum) r.step({ ...localMessage('MsgCheckQuorum', r) });
    // A transfer that has not finished within an election timeout is abandoned.
    if (r.role === 'leader' && r.leadTransferee !== '') r.abortLeaderTransfer();
  }
  if (r.role !== 'leader') return;
  if (r.heartbeatElapsed >= r.cfg.heartbeatTick) {
    r.heartbeatElapsed = 0;
    r.step(localMessage('MsgBeat', r));
  }
}

function localMessage(type: 'MsgBeat' | 'MsgCheckQuorum', r: Raft): Message {
  return {
    type,
    from: r.id,
    to: r.id,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    stamp: 0,
  };
}

export function stepLeader(r: Raft, m: Message): ProposeResult {
  // Messages that need no particular peer's progress.
  switch (m.type) {
    case 'MsgBeat':
      r.bcastHeartbeat();
      return OK;
    case 'MsgCheckQuorum':
      if (!r.tracker.quorumActive(r.id)) {
        r.logger.warn(`${r.id} stepped down to follower since quorum is not active`);
        r.becomeFollower(r.term, '');
      }
      r.tracker.resetRecentActive(r.id);
      return OK;
    case 'MsgProp':
      return propose(r, m);
    case 'MsgReadIndex':
      readIndex(r, m);
      return OK;
    default:
      break;
  }
  const pr = r.tracker.progress.get(m.from);
  if (!pr) {
    r.logger.debug(`${r.id} no progress available for ${m.from}`);
    return OK;
  }
  switch (m.type) {
    case 'MsgAppResp':
      noteContact(r, pr, m);
      handleAppendResponse(r, pr, m);
      break;
    case 'MsgHeartbeatResp':
      noteContact(r, pr, m);
      handleHeartbeatResponse(r, pr, m);
      break;
    case 'MsgSnapStatus':
      if (pr.state !== 'snapshot') break;
      if (m.reject) {
        // The snapshot never arrived: forget it, so the probe starts from what is known to match.
        pr.pendingSnapshot = 0;
        r.logger.debug(`${r.id} snapshot to ${m.from} failed; probing`);
      }
      pr.becomeProbe();
      // Wait for a heartbeat response before probing again: the follower may still be busy.
      pr.paused = true;
      break;
    case 'MsgUnreachable':
      // A stream broke: messages may have been lost, so stop optimistic pipelining.
      if (pr.state === 'replicate') pr.becomeProbe();
      r.logger.debug(`${r.id} failed to send a message to ${m.from}: unreachable`);
      break;
    case 'MsgTransferLeader':
      transferLeader(r, pr, m);
      break;
    default:
      break;
  }
  return OK;
}

function noteContact(r: Raft, pr: Progress, m: Message): void {
  pr.recentActive = true;
  // Stamps are our own tick counts of this term; anything else is stale or forged.
  if (m.stamp <= r.ticks && m.stamp > pr.leaseStamp) pr.leaseStamp = m.stamp;
}

function propose(r: Raft, m: Message): ProposeResult {
  if (m.entries.length === 0) return OK;
  if (!r.tracker.isMember(r.id)) {
    // We were removed but are still leader until the change is applied everywhere we look.
    return { ok: false, reason: 'not-member' };
  }
  if (r.leadTransferee !== '') {
    r.logger.debug(`${r.id} [term ${r.term}] transfer to ${r.leadTransferee} in progress; dropped proposal`);
    return { ok: false, reason: 'transferring' };
  }
  const rejection = r.confChangeRejection(m.entries);
  if (rejection) return { ok: false, reason: rejection };
  if (!r.takeUncommitted(m.entries)) {
    r.logger.debug(
      `${r.id} [term ${r.term}] too many uncommitted bytes (${r.uncommittedBytes}); dropped proposal`,
    );
    return { ok: false, reason: 'too-many-uncommitted' };
  }
  r.appendEntries(m.entries);
  if (m.entries.some((e) => e.type === 'conf-change')) r.pendingConfIndex = r.log.lastIndex();
  r.bcastAppend();
  return OK;
}

function readIndex(r: Raft, m: Message): void {
  if (r.tracker.isSingleton() && r.tracker.isVoter(r.id)) {
    // A lone voter is its own quorum and cannot be deposed without a conf change it would apply.
    r.respondToRead(m.from, m.context ?? '', r.log.committed, m.readMode ?? 'quorum');
    return;
  }
  if (!r.committedEntryInCurrentTerm()) {
    // Our commit index may lag the last leader's until our own first entry commits (§6.4).
    if (r.pendingReadIndexMessages.length >= r.cfg.maxPendingReads) {
      r.logger.warn(`${r.id} dropped read ${m.context ?? ''}: too many waiting for the first commit`);
      return;
    }
    r.pendingReadIndexMessages.push(m);
    return;
  }
  r.serveReadIndex(m);
}

function handleAppendResponse(r: Raft, pr: Progress, m: Message): void {
  if (m.reject) {
    r.logger.debug(
      `${r.id} received MsgAppResp(rejected, hint: (index ${m.rejectHint}, term ${m.logTerm})) from ${m.from} for index ${m.index}`,
    );
    // Fast backtracking: skip every entry of ours whose term exceeds the follower's hint term,
    // since none of them can match.
    let nextProbe = m.rejectHint;
    if (m.logTerm > 0) nextProbe = r.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
    if (pr.maybeDecrTo(m.index, nextProbe)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      r.sendAppend(m.from);
    }
    return;
  }
  if (!pr.maybeUpdate(m.index) && !(pr.match === m.index && pr.state === 'probe')) return;
  if (pr.state === 'probe') {
    pr.becomeReplicate();
  } else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) {
    // The follower caught up past our compaction point (the snapshot, or entries): resume the log.
    r.logger.debug(`${r.id} recovered from needing a snapshot, resumed sending to ${m.from}`);
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'replicate') {
    pr.inflights.freeLE(m.index);
  }
  if (r.maybeCommit()) {
    r.bcastAppend();
  } else if (pr.canBumpCommit(r.log.committed)) {
    // The follower may not know the commit index yet; an empty MsgApp tells it.
    r.sendAppend(m.from);
  }
  // Freed window: send as many more batches as flow control allows.
  while (r.maybeSendAppend(m.from, false)) {
    // each call sends one message
  }
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) {
    r.logger.info(`${r.id} sent MsgTimeoutNow to ${m.from} after it caught up`);
    r.sendTimeoutNow(m.from);
  }
}

function handleHeartbeatResponse(r: Raft, pr: Progress, m: Message): void {
  pr.paused = false;
  // Even with a full window this sends (an empty MsgApp), so a follower whose in-flight
  // messages were all dropped gets unstuck; a caught-up prober goes back to replicating.
  if (pr.match < r.log.lastIndex() || pr.state === 'probe') r.sendAppend(m.from);
  if (m.context === undefined) return;
  r.readOnly.recvAck(m.from, m.context);
  for (const read of r.readOnly.advance(m.context, r.tracker.voters)) {
    r.respondToRead(read.from, read.requestId, read.index, 'quorum');
  }
}

function transferLeader(r: Raft, pr: Progress, m: Message): void {
  const transferee = m.from;
  if (pr.learner) {
    r.logger.info(`${r.id} ignored transferring leadership to learner ${transferee}`);
    return;
  }
  if (r.leadTransferee !== '') {
    if (r.leadTransferee === transferee) {
      r.logger.info(`${r.id} transfer to ${transferee} already in progress`);
      return;
    }
    r.abortLeaderTransfer();
  }
  if (transferee === r.id) {
    r.logger.info(`${r.id} is already leader; ignored transferring leadership to itself`);
    return;
  }
  r.logger.info(`${r.id} [term ${r.term}] starts to transfer leadership to ${transferee}`);
  // The transfer must finish within an election timeout (tickHeartbeat aborts it after).
  r.electionElapsed = 0;
  r.leadTransferee = transferee;
  if (pr.match === r.log.lastIndex()) {
    r.logger.info(`${r.id} sends MsgTimeoutNow to ${transferee} immediately: it has the log`);
    r.sendTimeoutNow(transferee);
  } else {
    r.sendAppend(transferee);
  }
}
