import type {Writable} from 'node:stream';
import {redactHeaders, type Config, type LogLevel} from '../config.js';
import type {ClientEvent} from '../engine/types.js';
import type {Percentiles} from '../metrics/histogram.js';
import type {Snapshot} from '../metrics/snapshot.js';
import {formatDuration} from '../units.js';
import type {Summary} from './summary.js';

const levelRank: Record<LogLevel, number> = {error: 0, warn: 1, info: 2, debug: 3};

/** Which level each client event is logged at; per-message lines only at debug. */
function levelOf(event: ClientEvent): LogLevel | undefined {
	switch (event.kind) {
		case 'error':
		case 'reject': {
			return 'warn';
		}

		case 'open':
		case 'close':
		case 'reconnect':
		case 'disconnect': {
			return 'info';
		}

		case 'event':
		case 'comment':
		case 'heartbeat':
		case 'retry':
		case 'connecting':
		case 'welcome':
		case 'confirm': {
			return 'debug';
		}
	}
}

function describe(event: ClientEvent): string {
	switch (event.kind) {
		case 'connecting': { return `connecting (attempt ${event.attempt})`; }
		case 'open': { return `open: HTTP ${event.status} in ${event.connectMs.toFixed(1)}ms`; }
		case 'event': { return `event ${event.type}${event.id ? ` id=${event.id}` : ''}: ${truncate(event.data, 120)}`; }
		case 'comment': { return `comment: ${truncate(event.text, 120)}`; }
		case 'heartbeat': { return `heartbeat (${event.source})`; }
		case 'retry': { return `server set retry to ${event.retryMs}ms`; }
		case 'error': { return `error (${event.error}): ${event.message}`; }
		case 'reconnect': { return `reconnecting in ${formatDuration(event.delayMs)}${event.lastEventId ? ` with Last-Event-ID ${event.lastEventId}` : ''}`; }
		case 'close': { return `closed: ${event.reason}`; }
		case 'welcome': { return 'welcome'; }
		case 'confirm': { return `subscription confirmed: ${event.identifier}`; }
		case 'reject': { return `subscription rejected: ${event.identifier}`; }
		case 'disconnect': { return `server disconnect: ${event.reason}${event.reconnect ? ' (will reconnect)' : ''}`; }
	}
}

function truncate(text: string, max: number): string {
	const line = text.replaceAll(/\r?\n|\r/g, '\\n');
	return line.length > max ? `${line.slice(0, max)}…` : line;
}

const clock = (ms: number) => `+${(ms / 1000).toFixed(1)}s`;

export type TextReporter = {
	banner(): void;
	/** Logs one client event if its level is enabled. */
	log(event: ClientEvent, elapsedMs: number): void;
	/** A run-level message (not tied to a client). */
	message(level: LogLevel, text: string, elapsedMs: number): void;
	stats(snapshot: Snapshot, previous: Snapshot | undefined): void;
	summary(summary: Summary): void;
	/** True when per-event logging is on at all, so the run can skip the call on the hot path. */
	readonly logsEvents: boolean;
};

export function createTextReporter(config: Config, out: Writable, {version}: {version: string}): TextReporter {
	const threshold = levelRank[config.logLevel];
	const write = (line: string) => out.write(line + '\n');

	return {
		logsEvents: threshold >= levelRank.warn,
		banner() {
			write(`sse-tui ${version}: ${config.protocol.toUpperCase()} load test`);
			write(`  target    ${config.url}`);
			const duration = config.durationMs === undefined ? 'until Ctrl-C' : formatDuration(config.durationMs);
			const ramp = config.startIntervalMs === 0 ? 'all at once' : `${formatDuration(config.startIntervalMs)} apart`;
			write(`  clients   ${config.clients} (${config.scenario ?? 'no'} scenario), started ${ramp}, for ${duration}, timeout ${formatDuration(config.timeoutMs)}`);
			const headers = Object.entries(redactHeaders(config.headers));
			if (headers.length > 0) {
				write(`  headers   ${headers.map(([name, value]) => `${name}: ${value}`).join('; ')}`);
			}
		},
		log(event, elapsedMs) {
			const level = levelOf(event);
			if (level !== undefined && levelRank[level] <= threshold) {
				write(`${clock(elapsedMs)} ${level.toUpperCase().padEnd(5)} client ${event.client} ${describe(event)}`);
			}
		},
		message(level, text, elapsedMs) {
			if (levelRank[level] <= threshold) {
				write(`${clock(elapsedMs)} ${level.toUpperCase().padEnd(5)} ${text}`);
			}
		},
		stats(snapshot, previous) {
			const seconds = (snapshot.elapsedMs - (previous?.elapsedMs ?? 0)) / 1000;
			const rate = (now: number, before = 0) => seconds > 0 ? ((now - before) / seconds).toFixed(1) : '0.0';
			const {totals, states} = snapshot;
			write([
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
			].join(' | '));
		},
		summary(s) {
			const kinds = Object.entries(s.errors.byKind).map(([kind, count]) => `${kind} ${count}`).join(', ');
			write('');
			write(`=== Summary: ${formatDuration(s.durationMs)}, stopped by ${s.stoppedBy} ===`);
			write(`Clients:          ${s.clients.requested} requested, ${s.clients.connected} connected at least once`);
			write(`Connections:      ${s.connections.successful} successful, ${s.connections.active} active, ${s.connections.closed} closed, ${s.connections.failed} failed, ${s.connections.failedAttempts} failed attempts`);
			write(`Messages:         ${s.messages.total} (${s.messages.perSecond}/s, ${s.messages.perClient} per client)`);
			write(`Heartbeats:       ${s.heartbeats.total} (${s.heartbeats.perSecond}/s, ${s.heartbeats.perClient} per client)`);
			write(`Errors:           ${s.errors.total}${kinds ? ` (${kinds})` : ''}`);
			write(`Reconnects:       ${s.reconnects}`);
			write(`Bytes received:   ${s.bytes}`);
			write(`Time to headers:  ${percentiles(s.connectMs ?? undefined)}`);
			if (s.latencyMs) {
				write(`Latency (sent_at): ${percentiles(s.latencyMs)}`);
			}
		},
	};
}

export function percentiles(p: Percentiles | undefined): string {
	if (!p) {
		return 'n/a';
	}

	const ms = (value: number) => value >= 100 ? value.toFixed(0) : value.toFixed(1);
	return `p50 ${ms(p.p50)}ms p90 ${ms(p.p90)}ms p99 ${ms(p.p99)}ms max ${ms(p.max)}ms`;
}
