// Payload shapes that both sides build: the reference server broadcasts them, the load side
// publishes them (source/publish/). Imports nothing from server/, engine/ or ui/.
import {randomUUID} from 'node:crypto';
import {formatDuration} from './units.js';

/** `15:04:05`, the seeds' timestamp format (Go's local-time layout). */
export function clock(date = new Date()): string {
	const pad = (value: number): string => String(value).padStart(2, '0');
	return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function randomInt(min: number, max: number): number {
	return min + Math.floor(Math.random() * (max - min + 1));
}

function metrics(): Record<string, string> {
	return {
		cpu: `${randomInt(5, 95)}%`,
		memory: `${randomInt(20, 90)}%`,
		disk: `${randomInt(10, 80)}%`,
		network: `${randomInt(10, 500)} Mbps`,
		response_time: `${randomInt(5, 250)}ms`,
	};
}

function activity(now: Date, message: string, level = 'info'): Record<string, string> {
	return {time: clock(now), message, level, css_class: `activity-${level}`};
}

/** The seeds' dashboard update (PROTOCOLS.md section 4) plus `sent_at` for latency. */
export function dashboardUpdate(uptimeMs: number, now = new Date()): Record<string, unknown> {
	return {
		system_status: {
			status: 'online',
			uptime: formatDuration(uptimeMs),
			last_check: clock(now),
			message: 'System running normally',
		},
		metrics: metrics(),
		activities: [activity(now, 'Dashboard updated')],
		timestamp: clock(now),
		sent_at: now.getTime(),
	};
}

/** A run id tags the test updates of one load run: 1-64 of [A-Za-z0-9_-], safe in a URL and in logs. */
export const runIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function isRunId(text: string): boolean {
	return runIdPattern.test(text);
}

/** Marks a test update as message `seq` of run `run`, so a receiver can count and order them. */
export type RunTag = {readonly seq: number; readonly run?: string | undefined};

/**
 * Rails' TestPubsubJob broadcast, plus an optional `pad` of `padBytes` x's, the `seq` and `run`
 * of a tag, and `sent_at` for latency: always the last key, where the client's extractor looks first.
 */
export function testUpdate(sequence: number, padBytes: number, now = new Date(), source = 'sse-tui serve', tag?: RunTag): Record<string, unknown> {
	const update: Record<string, unknown> = {
		type: 'test_update',
		message: `Test update #${sequence} from ${source}`,
		timestamp: clock(now),
		random_value: randomInt(1, 1000),
		job_id: randomUUID(),
		metrics: metrics(),
		activities: [activity(now, `Test pub/sub message #${sequence}`)],
	};
	if (padBytes > 0) {
		update['pad'] = 'x'.repeat(padBytes);
	}

	if (tag) {
		update['seq'] = tag.seq;
		if (tag.run !== undefined) {
			update['run'] = tag.run;
		}
	}

	update['sent_at'] = now.getTime();
	return update;
}

/**
 * The JSON text of test update `seq` (of run `runId`, if given), as `sse-tui publish` and the
 * broadcast scenario send it: `"seq"`, `"run"` and then `"sent_at"` (Date.now() now) as the last key.
 */
export function broadcastMessage(seq: number, runId: string | undefined, padBytes = 0): string {
	return JSON.stringify(testUpdate(seq, padBytes, new Date(), 'sse-tui publish', {seq, run: runId}));
}
