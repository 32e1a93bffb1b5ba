import type {Percentiles} from '../metrics/histogram.js';
import type {ShapeSummaryParts} from './shape-summary.js';

/** The load shape's blocks as summary lines (source/reporters/text.ts prints them after the rest). */
export function shapeLines(s: ShapeSummaryParts, percentiles: (p: Percentiles | undefined) => string): string[] {
	const ms = (value: number | null) => value === null ? 'not reached' : `${value}ms`;
	const lines: string[] = [];
	if (s.stages) {
		lines.push(`Stages:           ${s.stages.stages.map(stage => `${stage.durationMs}ms:${stage.target}`).join(', ')}; peak ${s.stages.peakOpen} open`);
	}

	if (s.hold) {
		const h = s.hold;
		lines.push(`Hold:             ${h.openAtEnd} open at the end, held ${h.heldMs}ms, all connected after ${ms(h.connectAllMs)}; heartbeats ${h.heartbeats}${h.heartbeatIntervalMs === null ? ' (the server sent none)' : ` (every ${h.heartbeatIntervalMs}ms per client)`}, stale ${h.stale}`);
	}

	if (s.memory) {
		const m = s.memory;
		const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
		lines.push(`Memory:           RSS ${mib(m.rssBytes)} (${mib(m.baselineBytes)} before connecting) for ${m.connections} connections: ${m.perConnectionBytes === null ? 'n/a' : `${(m.perConnectionBytes / 1024).toFixed(1)} KiB`} per connection`);
	}

	if (s.churn) {
		const c = s.churn;
		lines.push(`Churn:            ${c.closed} closed, ${c.reopened} reopened, ${c.failed} failed attempts (asked ${c.rate}/s); connect under churn ${percentiles(c.connectMs ?? undefined)}`);
	}

	if (s.storm) {
		const st = s.storm;
		if (st.trigger === null) {
			lines.push('Storm:            none seen (no server restart: half the open clients never dropped within 2 s)');
		} else {
			const kinds = Object.entries(st.failedAttempts.byKind).map(([kind, count]) => `${kind} ${count}`).join(', ');
			lines.push(
				`Storm:            ${st.trigger === 'storm-at' ? 'dropped' : 'server restart seen,'} ${st.dropped} clients at ${st.atMs}ms; back ${st.back}: 50 % after ${ms(st.backMs.p50)}, 99 % after ${ms(st.backMs.p99)}, all after ${ms(st.backMs.p100)}`,
				`  recovery:       ${percentiles(st.recoveryMs ?? undefined)} (storm -> reopen); failed attempts ${st.failedAttempts.total}${kinds ? ` (${kinds})` : ''}; lost ${st.lost.gaps} messages, ${st.lost.notResumed} reconnects not resumed`,
			);
		}
	}

	return lines;
}
