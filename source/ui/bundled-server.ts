import {Writable} from 'node:stream';

export type BundledServer = {readonly url: string; close(): Promise<void>};

/**
 * The reference server (server/server.ts) in this process, for the wizard's "start the bundled
 * server" answer. Its log goes nowhere: stderr lines would tear through the dashboard's frame.
 * Imported lazily so a plain run never loads the server code.
 */
export async function startBundledServer(port: number): Promise<BundledServer> {
	const {startServer} = await import('../../server/server.js');
	const server = await startServer({
		port,
		logLevel: 'error',
		logStream: new Writable({
			write(_chunk, _encoding, callback) {
				callback();
			},
		}),
	});
	return {url: server.url, close: async () => server.close()};
}
