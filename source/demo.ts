import type {RunFlags} from './config.js';
import {UsageError} from './errors.js';
import {startBundledServer, type BundledServer} from './ui/bundled-server.js';

/** The demo server's update interval, its heartbeat (often, so the hb column moves), and how often it adds a burst of test updates. */
const intervalMs = 500;
const heartbeatMs = 2000;
const burstEveryMs = 5000;
const burstSize = 5;

export type Demo = {flags: RunFlags; server: BundledServer};

/**
 * `sse-tui demo`: the bundled reference server in this process on a free port, updates flowing
 * (an update every 500 ms, a heartbeat every 2 s, a burst of test updates every 5 s), and the run's flags pointed at
 * it. Every run flag works as usual; where the target is, the demo decides.
 */
export async function startDemo(flags: RunFlags, {isTTY}: {isTTY: boolean}): Promise<Demo> {
	for (const [flag, value] of [['--url', flags.url], ['--port', flags.port]] as const) {
		if (value !== undefined) {
			throw new UsageError(`demo runs against its own bundled server: drop ${flag} (or run "sse-tui ${flag} …" against yours)`);
		}
	}

	const broadcast = flags.scenario === 'broadcast';
	if (flags.scenario !== undefined && !broadcast) {
		throw new UsageError(`demo runs a plain load test or --scenario broadcast (got --scenario ${flags.scenario}); drop --scenario, or run "sse-tui --scenario ${flags.scenario} …"`);
	}

	const server = await startBundledServer(0, {intervalMs, heartbeatMs, burst: {everyMs: burstEveryMs, count: burstSize}});
	const websocket = flags.protocol === 'websocket' || flags.protocol === 'ws';
	const path = websocket ? (flags.wsMode === 'raw' ? '/ws' : '/cable') : '/dashboard/stream';
	const url = `${websocket ? server.url.replace(/^http/, 'ws') : server.url}${path}`;
	return {
		server,
		flags: {
			clients: '10',
			// Without a terminal nobody presses q: a plain demo stops by itself.
			...(isTTY || broadcast ? {} : {duration: '10s'}),
			...(broadcast && flags.publish === undefined && flags.trigger === undefined ? {trigger: server.url} : {}),
			...flags,
			url,
		},
	};
}
