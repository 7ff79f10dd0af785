/**
 * The follower, pre-candidate and candidate roles: how they step messages, and the election
 * tick they share.
 */
import { OK, type Raft } from './raft.js';
import { type Message, message, NONE, type ProposeResult } from './types.js';

export function tickElection(r: Raft): void {
  r.electionElapsed++;
  if (r.promotable() && r.electionElapsed >= r.randomizedElectionTimeout) {
    r.electionElapsed = 0;
    r.step(message({ type: 'MsgHup', from: r.id, to: r.id }));
  }
}

const NO_LEADER: ProposeResult = Object.freeze({ ok: false, reason: 'no-leader' });

export function stepFollower(r: Raft, m: Message): ProposeResult {
  switch (m.type) {
    case 'MsgProp':
      if (r.lead === NONE) {
        r.logger.info(`${r.id} no leader at term ${r.term}; dropping proposal`);
        return NO_LEADER;
      }
      r.send({ ...m, from: r.id, to: r.lead });
      return OK;
    case 'MsgApp':
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleAppendEntries(m);
      return OK;
    case 'MsgHeartbeat':
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleHeartbeat(m);
      return OK;
    case 'MsgSnap':
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleSnapshot(m);
      return OK;
    case 'MsgTransferLeader':
      if (r.lead === NONE) {
        r.logger.info(`${r.id} no leader at term ${r.term}; dropping leader transfer`);
        return NO_LEADER;
      }
      // Forwarded with our term; `from` still names the transferee.
      r.send({ ...m, to: r.lead, term: r.term });
      return OK;
    case 'MsgTimeoutNow':
      r.logger.info(
        `${r.id} [term ${r.term}] received MsgTimeoutNow from ${m.from}; starts to transfer leadership`,
      );
      // Skip pre-vote: the leader asked for this, and voters must set their lease aside.
      r.hup('transfer');
      return OK;
    case 'MsgReadIndex':
      if (r.lead === NONE) {
        r.logger.info(`${r.id} no leader at term ${r.term}; dropping read ${m.context ?? ''}`);
        return NO_LEADER;
      }
      // `from` stays the server that asked (we may be relaying a request we got forwarded).
      r.send({ ...m, to: r.lead });
      return OK;
    case 'MsgReadIndexResp':
      r.readStates.push({ index: m.index, requestId: m.context ?? '', via: m.readMode ?? 'quorum' });
      return OK;
    default:
      return OK;
  }
}

export function stepCandidate(r: Raft, m: Message): ProposeResult {
  // A pre-candidate tallies pre-votes, a candidate votes; stale responses of the other kind are ignored.
  const myVoteResp = r.role === 'pre-candidate' ? 'MsgPreVoteResp' : 'MsgVoteResp';
  switch (m.type) {
    case 'MsgProp':
      r.logger.info(`${r.id} no leader at term ${r.term}; dropping proposal`);
      return NO_LEADER;
    case 'MsgReadIndex':
      r.logger.info(`${r.id} no leader at term ${r.term}; dropping read ${m.context ?? ''}`);
      return NO_LEADER;
    case 'MsgApp':
      r.becomeFollower(m.term, m.from);
      r.handleAppendEntries(m);
      return OK;
    case 'MsgHeartbeat':
      r.becomeFollower(m.term, m.from);
      r.handleHeartbeat(m);
      return OK;
    case 'MsgSnap':
      r.becomeFollower(m.term, m.from);
      r.handleSnapshot(m);
      return OK;
    case 'MsgTimeoutNow':
      r.logger.debug(`${r.id} [term ${r.term} state ${r.role}] ignored MsgTimeoutNow from ${m.from}`);
      return OK;
    default:
      break;
  }
  if (m.type !== myVoteResp) return OK;
  const result = r.poll(m.from, m.type, !m.reject);
  const { granted, rejected } = r.tracker.tallyVotes();
  r.logger.info(`${r.id} has received ${granted} ${m.type} votes and ${rejected} vote rejections`);
  if (result === 'won') {
    if (r.role === 'pre-candidate') {
      r.campaign('election');
    } else {
      r.becomeLeader();
      r.bcastAppend();
    }
  } else if (result === 'lost') {
    // A pre-candidate that lost goes back to following in its own term; its term never moved.
    r.becomeFollower(r.term, NONE);
  }
  return OK;
}
