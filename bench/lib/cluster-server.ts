/**
 * `sse-tui serve`'s server on several processes sharing one port (node:cluster), so the
 * server's own open-files limit is not what a 40,000-client benchmark meets. The primary talks
 * to the benchmark over IPC: `rate` (a broadcast to every SSE client of every process each
 * `periodMs`, 0 = none) and `stats` (SSE connections now, deliveries queued so far, summed).
 * Usage (forked): cluster-server.js PROCESSES PORT
 */
import cluster from 'node:cluster';
import process from 'node:process';
import {startServer} from '../../server/server.js';

type Message = {cmd: string; periodMs?: number};

// Each process accepts for itself: the primary's round-robin hand-off (a handle over IPC per
// connection) was the slowest part of connecting tens of thousands of clients.
cluster.schedulingPolicy = cluster.SCHED_NONE;
if (cluster.isPrimary) {
	const count = Number(process.argv[2] ?? 3);
	const port = Number(process.argv[3] ?? 3590);
	const workers = Array.from({length: count}, () => cluster.fork({BENCH_PORT: String(port)}));
	let ready = 0;
	for (const worker of workers) {
		worker.on('message', (message: Message) => {
			if (message.cmd === 'ready' && ++ready === count) {
				process.send!({cmd: 'ready', port});
			}
		});
	}

	process.on('message', async (message: Message) => {
		if (message.cmd === 'rate') {
			for (const worker of workers) {
				worker.send(message);
			}

			process.send!({cmd: 'rate'});
		} else if (message.cmd === 'stats') {
			const replies = await Promise.all(workers.map(async worker => new Promise<{current: number; messages: number}>(resolve => {
				const onMessage = (reply: Message & {current: number; messages: number}) => {
					if (reply.cmd === 'stats') {
						worker.off('message', onMessage);
						resolve(reply);
					}
				};

				worker.on('message', onMessage);
				worker.send({cmd: 'stats'});
			})));
			process.send!({cmd: 'stats', current: replies.reduce((sum, reply) => sum + reply.current, 0), messages: replies.reduce((sum, reply) => sum + reply.messages, 0)});
		} else if (message.cmd === 'exit') {
			for (const worker of workers) {
				worker.kill('SIGKILL');
			}

			process.exit(0);
		}
	});
	process.on('disconnect', () => {
		for (const worker of workers) {
			worker.kill('SIGKILL');
		}

		process.exit(0);
	});
} else {
	const server = await startServer({port: Number(process.env['BENCH_PORT']), host: '127.0.0.1', intervalMs: 0, heartbeatMs: 0, cablePingMs: 0, maxConnections: 19_000, logLevel: 'error'});
	let timer: NodeJS.Timeout | undefined;
	process.on('message', (message: Message) => {
		if (message.cmd === 'rate') {
			clearInterval(timer);
			if ((message.periodMs ?? 0) > 0) {
				timer = setInterval(() => server.broadcast({sent_at: Date.now()}), message.periodMs);
			}
		} else if (message.cmd === 'stats') {
			const stats = server.stats();
			process.send!({cmd: 'stats', current: stats.sse.current, messages: stats.sse.messages});
		}
	});
	process.send!({cmd: 'ready'});
}
