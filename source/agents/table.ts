import type {AgentMember} from './agent-group.js';

/** One agent in the controller's table (--json `agents.list`, the dashboard's agents line). */
export type AgentRow = {
	name: string;
	host: string;
	/** running | done (its final metrics arrived) | lost */
	state: 'running' | 'done' | 'lost';
	/** clients handed to it (its share and any added later) */
	clients: number;
	open: number;
	msgsPerSec: number;
	errors: number;
	/** CPU of the agent's process, % of one core; null before its first message */
	cpu: number | null;
	rssBytes: number | null;
	/** from the agent's send time to the controller's merge of its last message (includes clock skew between hosts) */
	lagMs: number | null;
};

export type AgentsSummary = {
	/** the Redis URL, password hidden */
	redis: string;
	run: string;
	count: number;
	lost: number;
	list: AgentRow[];
};

export function agentRow(member: AgentMember): AgentRow {
	const wire = member.last?.wire;
	return {
		name: member.info.name,
		host: member.info.host,
		state: member.lost ? 'lost' : (member.done ? 'done' : 'running'),
		clients: member.ranges.reduce((sum, [, count]) => sum + count, 0),
		open: member.lost ? 0 : (wire?.states.open ?? 0),
		msgsPerSec: Math.round(member.rate * 10) / 10,
		errors: wire?.totals.errors ?? 0,
		cpu: member.last?.cpu ?? null,
		rssBytes: member.last?.rss ?? null,
		lagMs: member.lagMs,
	};
}

/** One compact line per agent, for the dashboard's log and the plain-text summary. */
export function formatAgentRow(row: AgentRow): string {
	const mib = row.rssBytes === null ? '-' : `${Math.round(row.rssBytes / 1024 / 1024)} MiB`;
	return `${row.name} ${row.state}: ${row.open}/${row.clients} open, ${row.msgsPerSec} msg/s, ${row.errors} errors, CPU ${row.cpu ?? '-'} %, RSS ${mib}, lag ${row.lagMs ?? '-'} ms`;
}
