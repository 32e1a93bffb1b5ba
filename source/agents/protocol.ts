import type {Config} from '../config.js';
import type {WireMessage} from '../metrics/wire.js';
import type {LifecycleRecord} from '../workers/lifecycle.js';
import type {AgentBroadcastState} from './broadcast-agents.js';

/**
 * What travels through Redis between the controller and its agents (README "Agents: the Redis
 * wire format"). Every key sits under `sse-tui:{RUN}:` and has an expiry; the controller deletes
 * them at the end of the run. The metrics inside are the merge protocol's wire messages
 * (source/metrics/wire.ts), unchanged.
 *
 * - `agent:{NAME}` (string, expires after leaseMs): AgentInfo as JSON, refreshed every second;
 *   its absence for lostAfterMs is a lost agent.
 * - `controller` (string, expires after controllerLeaseMs): ControllerInfo as JSON, refreshed
 *   every controllerBeatMs from a worker thread of the controller (controller-beat.ts); an agent
 *   that reads Redis and finds it gone (and no acknowledgement either) for controllerGraceMs
 *   more stops its clients.
 * - `plan` (string, expiry): Plan as JSON, written once N agents are registered.
 * - `commands` (stream, field `c`): Command as JSON, read by every agent (XREAD: each needs all).
 *   The load shapes' add/remove/drop travel here too (the driver runs on the controller).
 * - `metrics` (stream, field `m`): Envelope as JSON, read by the controller through the consumer
 *   group `controller` (XREADGROUP, then XACK + XDEL once merged).
 * - `acks` (hash NAME -> seq): the highest sequence the controller merged per agent. An agent
 *   keeps every message above it and sends them again after a Redis reconnect (or when the ack
 *   lags), so a message lost with a restarted Redis is sent again; the controller merges each
 *   agent's messages strictly in sequence and drops repeats, so nothing is counted twice.
 */
export const agentProtocolVersion = 2;

/**
 * An agent's lease: how long it lives without a refresh, how often it is refreshed, and when its
 * absence (and no message either) makes the agent lost to the controller.
 */
export const leaseMs = 10_000;
export const refreshMs = 1000;
export const lostAfterMs = 10_000;
/**
 * The controller's lease is short and renewed often from a worker thread: a controller whose main
 * thread stalls (a busy host once stalled it past 5 s while 36,000 clients connected) still
 * renews it, and a killed one's agents stop within controllerLeaseMs + controllerGraceMs + one
 * check (agentCheckMs): about 4.5 s.
 */
export const controllerLeaseMs = 3000;
export const controllerBeatMs = 500;
/** the lease's absence, seen through a working Redis, for this long more is a lost controller */
export const controllerGraceMs = 1000;
/** how often an agent checks the controller's lease while it runs a share */
export const agentCheckMs = 500;
/** after a Redis reconnect the controller needs time to reconnect and renew too: no judgement meanwhile */
export const reconnectGraceMs = 5000;
/** Redis unreachable this long: nobody can read the agent's numbers any more, it stops */
export const redisLostMs = 30_000;
/** the agents' ticks: as the worker processes' */
export const tickMs = 250;
/** rows per message at most (a bounded sample; the final message carries every changed row) */
export const maxRowsPerMessage = 2000;
/** every key's expiry: a controller killed before it cleans up leaves nothing behind for long */
export const keyTtlMs = 6 * 60 * 60 * 1000;

export type AgentInfo = {
	name: string;
	host: string;
	cores: number;
	/** open-files limit of the agent process, null when unknown */
	fileLimit: number | null;
	version: string;
	protocol: number;
	/** the id of the plan it is running, null while it waits */
	running: string | null;
};

export type ControllerInfo = {version: string; protocol: number; plan: string | null};

export type Share = {name: string; firstId: number; count: number};

export type Plan = {
	/** unique per run: an agent runs each plan once */
	id: string;
	version: string;
	protocol: number;
	config: Config;
	shares: Share[];
	/** epoch ms (controller's clock) when every agent starts its clients */
	startAt: number;
	/** epoch ms of the controller's store start: rows' times are relative to it */
	epochStart: number;
};

export type Command =
	| {type: 'stop'; plan: string}
	| {type: 'add'; plan: string; agent: string; count: number; firstId: number; command: number}
	| {type: 'remove'; plan: string; agent: string; count: number; command: number}
	/** churn: close the agent's longest-running clients */
	| {type: 'remove-oldest'; plan: string; agent: string; count: number; command: number}
	/** the storm at --storm-at: every agent drops every open connection (its clients reconnect) */
	| {type: 'drop'; plan: string}
	/** the broadcast scenario: broadcast `seq` went out at `at` ms of the run (the controller's clock) */
	| {type: 'published'; plan: string; seq: number; at: number};

export type Envelope = {
	plan: string;
	agent: string;
	wire: WireMessage;
	/** epoch ms when sent (the agent's clock) */
	sentAt: number;
	/** add/remove commands handled when sent */
	commands: number;
	/** CPU of the agent process (all cores, %), RSS bytes */
	cpu: number;
	rss: number;
	/** every client ended on its own */
	finished: boolean;
	/** the broadcast scenario: this agent's tally */
	broadcast?: AgentBroadcastState;
	/** a shaped run: the client lives since the last message (workers/lifecycle.ts), times in epoch ms of the agent's clock */
	lifecycle?: LifecycleRecord[];
	/** the hold: clients heard from since the last message, and the heartbeats among that */
	heard?: {ids: number[]; heartbeats: number; at: number};
};

export const keys = (run: string) => ({
	prefix: `sse-tui:${run}:`,
	agent: (name: string) => `sse-tui:${run}:agent:${name}`,
	agentPattern: `sse-tui:${run}:agent:*`,
	controller: `sse-tui:${run}:controller`,
	plan: `sse-tui:${run}:plan`,
	commands: `sse-tui:${run}:commands`,
	metrics: `sse-tui:${run}:metrics`,
	acks: `sse-tui:${run}:acks`,
});

/** run ids and agent names go into key names: keep them short and plain */
export const namePattern = /^[\w.-]{1,64}$/;
