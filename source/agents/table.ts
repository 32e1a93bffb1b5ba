import type {AgentMember} from './agent-group.js';

/** One agent in the controller's table (--json `agents.list`, the dashboard's agents panel, the summary, the report). */
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

/**
 * The per-agent table's columns as plain data, so the dashboard, the text summary and the HTML
 * report print the same cells from the same AgentRow (and `?` explains them from `text`).
 */
export type AgentColumn = {
	id: 'name' | 'host' | 'state' | 'clients' | 'open' | 'msgsPerSec' | 'errors' | 'cpu' | 'rss' | 'lag';
	title: string;
	/** the AgentRow field the cell shows (the report tags its numbers with it) */
	field: keyof AgentRow;
	align: 'left' | 'right';
	/** lower survives longer when the terminal is narrow */
	keep: number;
	/** at least this wide (steady columns while numbers grow), at most `max` (a long name is cut) */
	min: number;
	max: number;
	text: string;
	cell(row: AgentRow): string;
};

const mib = (bytes: number | null) => (bytes === null ? '-' : `${Math.round(bytes / 1_048_576)} MiB`);
const orDash = (value: number | null, unit = '') => (value === null ? '-' : `${Math.round(value)}${unit}`);

export const agentColumns: readonly AgentColumn[] = [
	{id: 'name', field: 'name', title: 'name', align: 'left', keep: 0, min: 4, max: 20, text: 'the agent\'s --name (HOST-PID by default)', cell: row => row.name},
	{id: 'host', field: 'host', title: 'host', align: 'left', keep: 9, min: 4, max: 24, text: 'the host it registered from', cell: row => row.host},
	{id: 'state', field: 'state', title: 'state', align: 'left', keep: 1, min: 7, max: 7, text: 'running; done (its final metrics arrived); lost (no lease, no message for 10 s: its clients count as failed)', cell: row => row.state},
	{id: 'clients', field: 'clients', title: 'clients', align: 'right', keep: 3, min: 7, max: 12, text: 'clients handed to it (its share, and any added with +)', cell: row => String(row.clients)},
	{id: 'open', field: 'open', title: 'open', align: 'right', keep: 2, min: 6, max: 12, text: 'its clients open as of its last message (0 once lost)', cell: row => String(row.open)},
	{id: 'msgsPerSec', field: 'msgsPerSec', title: 'msgs/s', align: 'right', keep: 4, min: 7, max: 12, text: 'messages per second its clients received', cell: row => String(row.msgsPerSec)},
	{id: 'errors', field: 'errors', title: 'errors', align: 'right', keep: 5, min: 6, max: 12, text: 'errors of its clients', cell: row => String(row.errors)},
	{id: 'cpu', field: 'cpu', title: 'CPU %', align: 'right', keep: 7, min: 5, max: 6, text: 'CPU of the agent process, % of one core (its worker processes\' own are not in it)', cell: row => orDash(row.cpu)},
	{id: 'rss', field: 'rssBytes', title: 'RSS', align: 'right', keep: 8, min: 8, max: 10, text: 'resident memory of the agent process', cell: row => mib(row.rssBytes)},
	{id: 'lag', field: 'lagMs', title: 'lag', align: 'right', keep: 6, min: 7, max: 10, text: 'its last message\'s send time to the controller\'s merge of it (includes clock skew between hosts)', cell: row => orDash(row.lagMs, ' ms')},
];

export type SizedAgentColumn = AgentColumn & {width: number};

/**
 * The columns that fit in `width` (one space between), in table order, each as wide as its
 * title and its cells within its bounds; a narrow terminal drops the highest `keep` first.
 */
export function fitAgentColumns(rows: readonly AgentRow[], width = Number.POSITIVE_INFINITY): SizedAgentColumn[] {
	const sized = agentColumns.map(column => ({
		...column,
		width: Math.min(column.max, Math.max(column.min, column.title.length, ...rows.map(row => column.cell(row).length))),
	}));
	const kept = new Set<AgentColumn['id']>();
	let used = 0;
	for (const column of [...sized].sort((a, b) => a.keep - b.keep)) {
		const needed = column.width + (kept.size > 0 ? 1 : 0);
		if (used + needed <= width) {
			kept.add(column.id);
			used += needed;
		}
	}

	return sized.filter(column => kept.has(column.id));
}

/** `text` in exactly `width` characters: padded on its side, or cut with `…`. */
function pad(text: string, width: number, align: 'left' | 'right'): string {
	if (text.length > width) {
		return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
	}

	return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

/** A row's cells, each padded to its column's width. */
export function agentCells(row: AgentRow, shown: readonly SizedAgentColumn[]): string[] {
	return shown.map(column => pad(column.cell(row), column.width, column.align));
}

export function agentHeaderLine(shown: readonly SizedAgentColumn[]): string {
	return shown.map(column => pad(column.title, column.width, column.align)).join(' ').trimEnd();
}

export function agentLine(row: AgentRow, shown: readonly SizedAgentColumn[]): string {
	return agentCells(row, shown).join(' ').trimEnd();
}

/** `3 agents: 2 running, 1 lost` (only the states some agent is in). */
export function agentStates(rows: readonly AgentRow[]): string {
	const counts = (['running', 'done', 'lost'] as const).map(state => [state, rows.filter(row => row.state === state).length] as const).filter(([, count]) => count > 0);
	return `${rows.length} agent${rows.length === 1 ? '' : 's'}${counts.length > 0 ? `: ${counts.map(([state, count]) => `${count} ${state}`).join(', ')}` : ''}`;
}

/** One compact line per agent, for the dashboard's log. The same cells as the table's. */
export function formatAgentRow(row: AgentRow): string {
	const cell = (id: AgentColumn['id']) => agentColumns.find(column => column.id === id)!.cell(row);
	return `${row.name} ${row.state}: ${row.open}/${row.clients} open, ${cell('msgsPerSec')} msg/s, ${row.errors} errors, CPU ${cell('cpu')} %, RSS ${cell('rss')}, lag ${cell('lag')}`;
}
