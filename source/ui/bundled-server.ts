import {Writable} from 'node:stream';

export type BundledServer = {readonly url: string; close(): Promise<void>};

/**
 * The reference server (server/server.ts) in this process, for the wizard's "start the bundled
 * server" answer. Its log goes nowhere: stderr lines would tear through the dashboard's frame.
 * Imported lazily so a plain run never loads the server code.
 */
export async function startBundledServer(port: number, {intervalMs, heartbeatMs, burst}: {intervalMs?: number; heartbeatMs?: number; burst?: {everyMs: number; count: number}} = {}): Promise<BundledServer> {
	const {startServer} = await import('../../server/server.js');
	const server = await startServer({
		port,
		...(intervalMs === undefined ? {} : {intervalMs}),
		...(heartbeatMs === undefined ? {} : {heartbeatMs}),
		logLevel: 'error',
		logStream: new Writable({
			write(_chunk, _encoding, callback) {
				callback();
			},
		}),
	});
	// A burst of test updates now and then, through the trigger endpoint as a user would send them.
	const timer = burst && setInterval(() => {
		fetch(`${server.url}/dashboard/trigger-test?count=${burst.count}`, {method: 'POST'}).then(async response => response.arrayBuffer(), () => undefined).catch(() => undefined);
	}, burst.everyMs);
	timer?.unref();
	return {
		url: server.url,
		async close() {
			clearInterval(timer);
			await server.close();
		},
	};
}
