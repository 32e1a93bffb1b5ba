import type {ColumnId} from './columns.js';

/**
 * What `?` explains, as data: every key the dashboard reads, every table column (with the
 * spelled-out title a wide terminal shows), and the short words of the totals lines. The view
 * (./help-panel.tsx) only lays these out.
 */

export type HelpEntry = {name: string; text: string};

export const keyHelp: readonly HelpEntry[] = [
	{name: '↑/↓  k/j', text: 'scroll one row'},
	{name: 'PgUp/PgDn  space', text: 'scroll one page (space: page down)'},
	{name: 'Home/End  g/G', text: 'first / last row'},
	{name: 's', text: 'sort by the next column (the header marks it ▲ or ▼)'},
	{name: 'r', text: 'reverse the sort'},
	{name: 'f', text: 'filter: all clients / problems only (errors, reconnects, gaps, duplicates, stale, failed, closed)'},
	{name: 'p', text: 'pause / resume the display (the run goes on)'},
	{name: 't', text: '--target: show all clients / one target\'s in turn'},
	{name: 'a', text: '--agents: show / hide the per-agent table (name, host, state, clients, open, msgs/s, errors, CPU %, RSS, lag)'},
	{name: '+ / -', text: 'start one more client / stop the newest'},
	{name: '?  Esc', text: 'open / close this help (↑/↓ and PgUp/PgDn scroll it)'},
	{name: 'q  Ctrl-C', text: 'stop the run and print the summary (twice: force quit)'},
];

/**
 * Each column's spelled-out title (a wide terminal shows it instead of the short one) and what
 * its cells mean. A Record, so a new column cannot be added without its explanation.
 */
export const columnHelp: Record<ColumnId, {long: string; text: string}> = {
	id: {long: 'id', text: 'the client\'s number, 1 to N in start order'},
	state: {long: 'state', text: 'idle (not started), connecting, open, reconnecting, closed, failed (gave up); stale = open, but the heartbeat is overdue'},
	messages: {long: 'messages', text: 'messages (SSE events, ActionCable broadcasts) this client received'},
	heartbeats: {long: 'heartbeats', text: 'heartbeats received: SSE comment lines, ActionCable pings, WebSocket ping/pong frames'},
	errors: {long: 'errors', text: 'errors: refused or dropped connections, timeouts, a bad status or content type, oversized events, rejected subscriptions'},
	reconnects: {long: 'reconnects', text: 'times the client reconnected after losing its connection'},
	lastEventId: {long: 'last event id', text: 'the last SSE id: the client sends it back as Last-Event-ID when it reconnects'},
	messageAge: {long: 'message age', text: 'time since the client\'s last message (- : none yet)'},
	heartbeatAge: {long: 'heartbeat age', text: 'time since the client\'s last heartbeat (- : none yet)'},
	latency: {long: 'latency', text: 'send -> receive time of the last message, from its send time field (--latency-field, default sent_at)'},
	gaps: {long: 'gaps', text: 'messages missing by this client\'s sequence numbers (seq, --seq-field or integer ids)'},
	stream: {long: 'request stream', text: 'request streams (--method, --body, --until-data): the current request\'s number, events so far and age (#3 12ev 1.2s), or how many streams are done'},
};

export const totalsHelp: readonly HelpEntry[] = [
	{name: 'msgs  hb', text: 'messages and heartbeats over every client, with the rate per second'},
	{name: 'errs  reconn', text: 'errors and reconnects over every client'},
	{name: 'recv', text: 'bytes received'},
	{name: 'msgs/s', text: 'messages per second over time; peak is the highest second shown'},
	{name: 'connect', text: 'time from connecting to the response headers (SSE) or the welcome (ActionCable), p50 and p99'},
	{name: 'delivery', text: 'received / expected by sequence numbers; gaps missing, dup repeated, resets (sequence restarted)'},
	{name: 'stale', text: 'open clients whose heartbeat is overdue: 2 x the median interval seen (30 s until measured)'},
];
