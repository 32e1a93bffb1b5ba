import type {BroadcastRunOptions} from '../broadcast.js';
import {createRemoteBroadcastRun, createRemoteTally, type RemoteBroadcastView, type RemoteTallyState} from '../broadcast-remote.js';

export {createTallyOfRemotes} from '../broadcast-remote.js';

/**
 * The broadcast scenario over agents: the shared remote tally (source/broadcast-remote.ts, also
 * used by the worker processes), its states carried in the agents' envelopes over Redis and the
 * controller's `published` commands on the command stream.
 */
export type AgentBroadcastState = RemoteTallyState;
export type AgentBroadcastView = RemoteBroadcastView;

/** The agent's side: its tally, fed the controller's publish times (with worker processes: createTallyOfRemotes, theirs added up). */
export const createAgentTally = createRemoteTally;

/** The controller's side: settle on the agents' subscribed counts, publish, drain, add up. */
export function createAgentsBroadcastRun(options: BroadcastRunOptions & {agents: AgentBroadcastView}): ReturnType<typeof createRemoteBroadcastRun> {
	const {agents, ...rest} = options;
	return createRemoteBroadcastRun({...rest, remotes: agents, wording: {on: ' on the agents', every: ' on every agent'}});
}
