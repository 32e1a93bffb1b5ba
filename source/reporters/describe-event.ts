/** How a client event reads in a log line, and the level it is logged at: shared by the text log and the TUI's log pane. */
import type {LogLevel} from '../config.js';
import type {ClientEvent} from '../engine/types.js';
import {formatDuration} from '../units.js';

export const levelRank: Record<LogLevel, number> = {error: 0, warn: 1, info: 2, debug: 3};

/** Which level each client event is logged at; per-message lines only at debug. */
export function levelOf(event: ClientEvent): LogLevel | undefined {
	// Request streams: one info line per request (`stream`), not an open and a close each.
	if ((event.kind === 'open' || (event.kind === 'close' && !event.final)) && event.request !== undefined) {
		return 'debug';
	}

	switch (event.kind) {
		case 'error':
		case 'reject': {
			return 'warn';
		}

		case 'open':
		case 'close':
		case 'reconnect':
		case 'disconnect':
		case 'gap':
		case 'reset':
		case 'stream': {
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

export function describeEvent(event: ClientEvent): string {
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
		case 'gap': { return `gap: ${event.count === 1 ? `message ${event.from}` : `messages ${event.from}-${event.to}`} never arrived (${event.count})`; }
		case 'stream': { return `request ${event.request}: ${event.outcome}, ${event.events} events${event.ttfeMs === null ? '' : `, first after ${event.ttfeMs.toFixed(1)}ms`}, ${formatDuration(Math.round(event.durationMs))} in all`; }
		case 'reset': { return `sequence reset: from ${event.from} back to ${event.to} (the server started over)`; }
	}
}

function truncate(text: string, max: number): string {
	const line = text.replaceAll(/\r?\n|\r/g, '\\n');
	return line.length > max ? `${line.slice(0, max)}…` : line;
}
