/**
 * Claim: /ws writes pre-built frames, coalesced per tick, instead of ws.send() per client.
 * Run: node dist/bench/fanout-ws.js [--clients 1000] [--seconds 2]
 *
 * Server side in this process: (a) `sse-tui serve`'s /ws, (b) a plain `ws` server that
 * stringifies once and calls ws.send(json) for every client (the usual recipe). 1,000 `ws`
 * clients in a child process count messages. Closed-loop bursts of 20 broadcasts; reports
 * deliveries/s and deliveries per second of server CPU (robust on a shared box).
 */
import {fork} from 'node:child_process';
import {loadavg} from 'node:os';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import WebSocket, {WebSocketServer} from 'ws';
import {testUpdate} from '../source/payloads.js';
import {startServer} from '../server/server.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
	const index = args.indexOf(name);
	return index === -1 ? fallback : Number(args[index + 1]);
};

if (args[0] === '--child') {
	// Client side: N ws clients; replies 'reached' once every client has `target` messages.
	const clients: WebSocket[] = [];
	let counts = new Int32Array(0);
	let target = Number.POSITIVE_INFINITY;
	let reached = 0;
	process.on('message', (message: {cmd: string; url?: string; count?: number; events?: number}) => {
		void (async () => {
			if (message.cmd === 'connect') {
				counts = new Int32Array(message.count!);
				for (let first = 0; first < message.count!; first += 200) {
					const batch: Array<Promise<void>> = [];
					for (let index = first; index < Math.min(message.count!, first + 200); index++) {
						const ws = new WebSocket(message.url!, {perMessageDeflate: false});
						clients.push(ws);
						ws.on('message', () => {
							counts[index]!++;
							if (counts[index] === target && ++reached === clients.length) {
								process.send!({cmd: 'reached'});
							}
						});
						batch.push(new Promise(resolve => ws.once('open', () => resolve())));
					}

					await Promise.all(batch);
				}

				process.send!({cmd: 'connected'});
			} else if (message.cmd === 'expect') {
				target = message.events!;
				reached = counts.filter(count => count >= target).length;
				process.send!({cmd: 'ready'});
			} else {
				for (const ws of clients) {
					ws.terminate();
				}

				process.disconnect();
			}
		})();
	});
} else {
	const size = option('--clients', 1000);
	const seconds = option('--seconds', 2);
	const burst = 20;

	type Target = {url: string; broadcast(message: unknown): void; close(): Promise<void>};
	const ours = async (): Promise<Target> => {
		const server = await startServer({port: 0, intervalMs: 0, heartbeatMs: 0, cablePingMs: 0, logLevel: 'error', maxConnections: size + 10});
		return {url: `${server.url.replace('http', 'ws')}/ws`, broadcast: message => server.broadcast(message), close: () => server.close()};
	};

	const plain = async (): Promise<Target> => {
		const wss = new WebSocketServer({port: 0, host: '127.0.0.1', perMessageDeflate: false});
		await new Promise(resolve => wss.once('listening', resolve));
		const {port} = wss.address() as {port: number};
		return {
			url: `ws://127.0.0.1:${port}`,
			broadcast(message) {
				const json = JSON.stringify(message);
				for (const client of wss.clients) {
					client.send(json);
				}
			},
			async close() {
				for (const client of wss.clients) {
					client.terminate();
				}

				await new Promise(resolve => wss.close(resolve));
			},
		};
	};

	const measure = async (name: string, start: () => Promise<Target>): Promise<{rate: number; perCpu: number}> => {
		const target = await start();
		const child = fork(fileURLToPath(import.meta.url), ['--child'], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']});
		const waiting = new Map<string, () => void>();
		child.on('message', (reply: {cmd: string}) => {
			waiting.get(reply.cmd)?.();
			waiting.delete(reply.cmd);
		});
		const next = async (cmd: string): Promise<void> =>
			new Promise(resolve => {
				waiting.set(cmd, resolve);
			});
		const connected = next('connected');
		child.send({cmd: 'connect', url: target.url, count: size});
		await connected;
		let sent = 0;
		let sequence = 0;
		const round = async (): Promise<void> => {
			const reached = next('reached');
			const ready = next('ready');
			child.send({cmd: 'expect', events: sent + burst});
			await ready;
			for (let index = 0; index < burst; index++) {
				target.broadcast(testUpdate(++sequence, 0));
			}

			sent += burst;
			await reached;
		};

		await round();
		const cpu = process.cpuUsage();
		const started = performance.now();
		let rounds = 0;
		while (performance.now() - started < seconds * 1000) {
			await round();
			rounds++;
		}

		const elapsed = (performance.now() - started) / 1000;
		const used = process.cpuUsage(cpu);
		const deliveries = rounds * burst * size;
		child.send({cmd: 'close'});
		await target.close();
		const result = {rate: deliveries / elapsed, perCpu: deliveries / ((used.user + used.system) / 1e6)};
		console.log(`  ${name.padEnd(28)} ${(result.rate / 1000).toFixed(0)}k deliveries/s, ${(result.perCpu / 1000).toFixed(0)}k per server CPU-second`);
		return result;
	};

	console.log(`ws fan-out: ${size} clients, bursts of ${burst}, load average ${loadavg().map(value => value.toFixed(2)).join(' ')}`);
	const a = await measure('sse-tui serve /ws (frames)', ours);
	const b = await measure('ws.send() per client', plain);
	const c = await measure('sse-tui serve /ws (again)', ours);
	const best = Math.max(a.perCpu, c.perCpu);
	console.log(`  pre-built frames / ws.send(): ${((best / b.perCpu) * 100).toFixed(0)}% per CPU-second`);
}
