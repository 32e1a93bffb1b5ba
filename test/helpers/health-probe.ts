/**
 * A separate process that asks GET /health every `everyMs` on a fresh connection, as a load
 * balancer would, and records each answer's latency (or its failure). Commands over IPC:
 *  {cmd: 'start', port, everyMs, timeoutMs} ; {cmd: 'stop'} -> {cmd: 'probed', latencies, failures, firstFailure}
 */
import http from 'node:http';
import process from 'node:process';

let running = false;
const latencies: number[] = [];
let failures = 0;
let firstFailure = '';

async function probe(port: number, timeoutMs: number): Promise<void> {
	const started = performance.now();
	return new Promise(resolve => {
		const request = http.get({host: '127.0.0.1', port, path: '/health', agent: false, timeout: timeoutMs}, response => {
			response.resume();
			response.on('end', () => {
				if (response.statusCode === 200) {
					latencies.push(performance.now() - started);
				} else {
					failures++;
					firstFailure ||= `status ${response.statusCode}`;
				}

				resolve();
			});
		});
		request.on('timeout', () => {
			request.destroy(new Error(`no answer within ${timeoutMs} ms`));
		});
		request.on('error', error => {
			failures++;
			firstFailure ||= error.message;
			resolve();
		});
	});
}

process.on('message', async (message: {cmd: string; port: number; everyMs: number; timeoutMs: number}) => {
	if (message.cmd === 'start') {
		running = true;
		while (running) {
			const started = performance.now();
			await probe(message.port, message.timeoutMs);
			await new Promise(resolve => {
				setTimeout(resolve, Math.max(0, message.everyMs - (performance.now() - started)));
			});
		}
	} else if (message.cmd === 'stop') {
		running = false;
		process.send!({cmd: 'probed', latencies, failures, firstFailure});
	}
});
process.on('disconnect', () => process.exit(0));
