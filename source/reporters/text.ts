import type {Writable} from 'node:stream';
import {agentLines} from './agent-lines.js';
import {streamLines} from './stream-lines.js';
import type {Config} from '../config.js';
import {redactHeaders, redactUrl} from '../redact.js';
import {shapeLines} from '../shapes/shape-text.js';
import {describeEvent, levelOf, levelRank} from './describe-event.js';
import {clip, createRepeatLimiter} from '../log-limit.js';
import type {Percentiles} from '../metrics/histogram.js';
import type {Snapshot} from '../metrics/snapshot.js';
import {formatDuration} from '../units.js';
import {formatBytes} from '../engine/buffer-budget.js';
import type {Presenter} from './presenter.js';
import type {Summary} from './summary.js';
import {thresholdLines} from './threshold-lines.js';
import {comparisonLines, targetsLine} from '../compare/text.js';

/** Lines that differ only in numbers (a delay, a client, a port) are one kind for the repeat limit. */
const kindOf = (text: string) => text.replaceAll(/\d+/g, '#');
/** Warnings and errors are what floods (every client failing alike); info and debug lines print in full. */
const limited = (level: string) => level === 'warn' || level === 'error';

const clock = (ms: number) => `+${(ms / 1000).toFixed(1)}s`;

export type TextPresenterOptions = {
	version: string;
	/** false with --json: the JSON summary replaces the text one */
	printSummary: boolean;
};

/** The plain-text face of a run: banner, log lines, a stats line per interval, the summary. */
export function createTextPresenter(config: Config, out: Writable, {version, printSummary}: TextPresenterOptions): Presenter {
	const threshold = levelRank[config.logLevel];
	const write = (line: string) => out.write(line + '\n');
	let timer: NodeJS.Timeout | undefined;
	// 2,000 clients failing the same way print 10 lines and a count, not 2,000 lines (issue 17, defect 13).
	const repeats = createRepeatLimiter({
		onSuppressed(key, count, windowMs) {
			const bar = key.indexOf('|');
			write(`${key.slice(0, bar).toUpperCase().padEnd(5)} ${count} more like "${key.slice(bar + 1)}" in the last ${formatDuration(windowMs)} (not printed)`);
		},
	});

	return {
		// At --log-level error no client event is ever printed: skip the call on the hot path.
		wantsEvents: threshold >= levelRank.warn,
		start({store}) {
			banner(config, version, write);
			if (config.stats) {
				let previous: Snapshot | undefined;
				timer = setInterval(() => {
					const snapshot = store.snapshot();
					write(statsLine(snapshot, previous));
					previous = snapshot;
				}, config.statsIntervalMs);
			}
		},
		event(event, elapsedMs) {
			const level = levelOf(event);
			if (level !== undefined && levelRank[level] <= threshold) {
				const text = clip(describeEvent(event), 300);
				if (!limited(level) || repeats.admit(`${level}|${kindOf(text)}`)) {
					write(`${clock(elapsedMs)} ${level.toUpperCase().padEnd(5)} client ${event.client} ${text}`);
				}
			}
		},
		message(level, text, elapsedMs) {
			if (levelRank[level] <= threshold && (!limited(level) || repeats.admit(`${level}|${kindOf(clip(text, 300))}`))) {
				write(`${clock(elapsedMs)} ${level.toUpperCase().padEnd(5)} ${clip(text, 300)}`);
			}
		},
		async finish(summary) {
			clearInterval(timer);
			repeats.flush();
			if (printSummary) {
				for (const line of summaryLines(summary)) {
					write(line);
				}
			}
		},
	};
}

function banner(config: Config, version: string, write: (line: string) => void): void {
	write(`sse-tui ${version}: ${config.compare ? `${config.compare.targets.length} targets side by side,` : (config.ws ? `WebSocket (${config.ws.mode === 'cable' ? `ActionCable, channel ${config.ws.channel}` : 'raw'})` : 'SSE')} load test`);
	write(`  target    ${config.compare ? targetsLine(config) : redactUrl(config.url)}`);
	const duration = config.durationMs === undefined ? 'until Ctrl-C' : formatDuration(config.durationMs);
	const ramp = config.startIntervalMs === 0 ? 'all at once' : `${formatDuration(config.startIntervalMs)} apart`;
	write(`  clients   ${config.clients}${config.compare ? ' per target' : ''} (${config.scenario ?? 'no'} scenario), started ${ramp}, for ${duration}, timeout ${formatDuration(config.timeoutMs)}`);
	const headers = Object.entries(redactHeaders(config.headers, {showValues: config.showHeaderValues}));
	if (headers.length > 0) {
		write(`  headers   ${headers.map(([name, value]) => `${name}: ${value}`).join('; ')}`);
	}
}

export function statsLine(snapshot: Snapshot, previous: Snapshot | undefined): string {
	const seconds = (snapshot.elapsedMs - (previous?.elapsedMs ?? 0)) / 1000;
	const rate = (now: number, before = 0) => seconds > 0 ? ((now - before) / seconds).toFixed(1) : '0.0';
	const {totals, states} = snapshot;
	return [
		`${clock(snapshot.elapsedMs)} STATS`,
		`open ${states.open}/${snapshot.clients}`,
		`connecting ${states.connecting}`,
		`reconnecting ${states.reconnecting}`,
		`closed ${states.closed + states.failed}`,
		`messages ${totals.messages} (${rate(totals.messages, previous?.totals.messages)}/s)`,
		`heartbeats ${totals.heartbeats} (${rate(totals.heartbeats, previous?.totals.heartbeats)}/s)`,
		`errors ${totals.errors}`,
		`reconnects ${totals.reconnects}`,
		`connect ${percentiles(snapshot.connectMs)}`,
		...(snapshot.latencyMs ? [`latency ${percentiles(snapshot.latencyMs)}`] : []),
	].join(' | ');
}

/** The final summary as text lines; the TUI prints the same lines after it closes. */
export function summaryLines(s: Summary): string[] {
	return [...runLines(s), ...thresholdLines(s)];
}

function runLines(s: Summary): string[] {
	const kinds = Object.entries(s.errors.byKind).map(([kind, count]) => `${kind} ${count}`).join(', ');
	return [
		'',
		`=== Summary: ${formatDuration(s.durationMs)}, stopped by ${s.stoppedBy} ===`,
		`Clients:          ${s.clients.requested} requested, ${s.clients.connected} connected at least once${s.clients.notStarted > 0 ? `, ${s.clients.notStarted} never started (the run ended before their turn)` : ''}`,
		`Connections:      ${s.connections.successful} successful, ${s.connections.active} active, ${s.connections.closed} closed, ${s.connections.failed} failed, ${s.connections.failedAttempts} failed attempts`,
		`Messages:         ${s.messages.total} (${s.messages.perSecond}/s, ${s.messages.perClient} per client)`,
		`Heartbeats:       ${s.heartbeats.total} (${s.heartbeats.perSecond}/s, ${s.heartbeats.perClient} per client)`,
		`Errors:           ${s.errors.total}${kinds ? ` (${kinds})` : ''}`,
		`Reconnects:       ${s.reconnects}`,
		`Bytes received:   ${s.bytes}`,
		...bufferedLines(s),
		`Connect time:     ${percentiles(s.connectMs ?? undefined)}`,
		...(s.reconnectMs ? [`Reconnect time:   ${percentiles(s.reconnectMs)} (drop to reopen)`] : []),
		...latencyLines(s),
		...deliveryLines(s),
		...(s.broadcast ? broadcastLines(s.broadcast, s.delivery.foreign) : []),
		...(s.server ? serverLines(s.server) : []),
		...shapeLines(s, percentiles),
		...comparisonLines(s),
		...streamLines(s, percentiles),
		...agentLines(s),
	];
}

function serverLines(server: NonNullable<Summary['server']>): string[] {
	const lines: string[] = [];
	if (server.redis) {
		const last = server.redis.last;
		lines.push(`Redis (server):   ${server.redis.url}: ${last === null ? 'no sample' : (last.reachable
			? `subscribers ${server.redis.channels.map(channel => `${channel} ${last.subscribers[channel] ?? 0}`).join(', ')}, clients ${last.connectedClients}, ${last.opsPerSec} ops/s, ${(last.usedMemoryBytes / 1_048_576).toFixed(1)} MiB used${last.serveConnections > 0 ? `, sse-tui serve connections ${last.serveConnections}` : ''}`
			: `unreachable at the end (${last.error ?? 'no answer'})`)}`);
	}

	if (server.stats) {
		const last = server.stats.last;
		lines.push(`Stats (server):   ${server.stats.url}: ${last === null ? 'no sample' : (last.reachable
			? server.stats.fields.map(field => `${field} ${last.values[field] ?? 'n/a'}`).join(', ')
			: `unreachable at the end (${last.error ?? 'no answer'})`)}`);
	}

	for (const item of server.disagreements) {
		lines.push(`  DISAGREE:       ${item.what}: server ${item.server}, clients ${item.clients} (worst difference ${item.worst}, seen in ${item.samples} samples from +${(item.firstAt / 1000).toFixed(1)}s to +${(item.lastAt / 1000).toFixed(1)}s)`);
	}

	if (server.disagreements.length === 0 && (server.redis?.last?.reachable || server.stats?.last?.reachable)) {
		lines.push('                  the server side agreed with the clients');
	}

	return lines;
}

function bufferedLines(s: Summary): string[] {
	const b = s.buffered;
	if (!b) {
		return [];
	}

	const over = b.overBudget > 0 ? `; ${b.overBudget} clients failed over it (too-large), the largest holders first` : '';
	return [`Buffered:         peak ${formatBytes(b.peakBytes)} of partial events held at once (budget ${formatBytes(b.budgetBytes)}, --max-buffered)${over}`];
}

function latencyLines(s: Summary): string[] {
	if (!s.latencyMs) {
		return s.messages.total > 0 ? [`Latency:          n/a (no message had a "${s.latency.field}" field)`] : [];
	}

	const missing = s.latency.missing > 0 ? `; ${s.latency.missing} messages without "${s.latency.field}"` : '';
	return [
		`Latency (${s.latency.field}): ${percentiles(s.latencyMs, {p999: true})}${missing}`,
		'                  (send time from the message: against another machine this includes clock skew)',
	];
}

const percent = (ratio: number | null) => ratio === null ? 'n/a' : `${(Math.floor(ratio * 100_000) / 1000).toString()}%`;

function deliveryLines(s: Summary): string[] {
	const d = s.delivery;
	if (d.accountedClients === 0) {
		return s.messages.total > 0 ? ['Delivery:         not accounted: no message carried a sequence number ("seq", --seq-field, or an integer event id)'] : [];
	}

	const unaccounted = d.unaccountedClients > 0 ? `; ${d.unaccountedClients} clients had no sequence numbers, not accounted` : '';
	const noGaps = d.sources.streamId > 0 ? `; ${d.sources.streamId} clients on <ms>-<n> ids: order and duplicates only, gaps not countable` : '';
	return [
		`Delivery:         ${percent(d.ratio)} (${d.received} of ${d.expected ?? 0} expected), gaps ${d.gaps}, duplicates ${d.duplicates}, out of order ${d.outOfOrder}, resets ${d.resets}${unaccounted}${noGaps}`,
		...(d.reconnects.resumed + d.reconnects.notResumed > 0 ? [`Resumed:          ${d.reconnects.resumed} of ${d.reconnects.resumed + d.reconnects.notResumed} reconnects (Last-Event-ID sent, the next message followed on)`] : []),
	];
}

function broadcastLines(b: NonNullable<Summary['broadcast']>, foreign: number): string[] {
	const list = (items: Array<{seq: number}>, total: number) => items.length === 0 ? '' : ` (seqs ${items.slice(0, 10).map(item => item.seq).join(', ')}${total > 10 ? ', …' : ''})`;
	return [
		`Broadcast:        run ${b.runId} via ${b.via} ${b.target}: published ${b.published} of ${b.requested}${b.rate > 0 ? ` at ${b.rate}/s` : ''}, ${b.openAtStart} clients subscribed at start (after ${formatDuration(b.settledMs)})`,
		`  delivered:      ${percent(b.ratio)} (${b.received} of ${b.expected} expected deliveries); ${b.clientsComplete} clients got all, ${b.clientsIncomplete} missed some${b.minClientRatio === null ? '' : ` (lowest ${percent(b.minClientRatio)})`}`,
		`  missing:        ${b.missing.total}${list(b.missing.seqs, b.missing.seqs.length)}; duplicates ${b.duplicates.total}${list(b.duplicates.seqs, b.duplicates.seqs.length)}`,
		`  latency:        ${percentiles(b.latencyMs ?? undefined, {p999: true})} (publish -> receive)`,
		`  fan-out:        ${b.fanoutMs ? percentiles(b.fanoutMs) : 'n/a'} (publish -> the last client has it)`,
		...(foreign > 0 ? [`  foreign:        ${foreign} messages of no run or another on the stream, not counted`] : []),
	];
}

export function percentiles(p: Percentiles | undefined, {p999 = false} = {}): string {
	if (!p) {
		return 'n/a';
	}

	const ms = (value: number) => value >= 100 ? value.toFixed(0) : value.toFixed(1);
	return `p50 ${ms(p.p50)}ms p90 ${ms(p.p90)}ms p99 ${ms(p.p99)}ms${p999 ? ` p99.9 ${ms(p.p999)}ms` : ''} max ${ms(p.max)}ms`;
}
