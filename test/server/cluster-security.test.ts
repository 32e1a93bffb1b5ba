import assert from 'node:assert/strict';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import WebSocket from 'ws';
import {serverBinPath, startCommand} from '../helpers/cli.js';
import {waitFor} from '../helpers/server-start.js';

const certPath = fileURLToPath(new URL('../../../test/helpers/tls/localhost-cert.pem', import.meta.url));
const keyPath = fileURLToPath(new URL('../../../test/helpers/tls/localhost-key.pem', import.meta.url));

/** `serve --workers 2` honours --token, the /ws Origin check, the trigger's rules and TLS in every worker. */
test('serve --workers 2: token, Origin, trigger POST-only and TLS in every worker', {timeout: 60_000}, async () => {
	const token = 'cluster-T0ken';
	const child = startCommand(serverBinPath, ['--workers', '2', '--port', '0', '--interval', '0', '--heartbeat', '0', '--cable-ping', '0', '--log-level', 'warn', '--token', token, '--tls-cert', certPath, '--tls-key', keyPath], {
		env: {SSE_PORT: '', PORT: '', LOG_LEVEL: '', REDIS_URL: '', NODE_TLS_REJECT_UNAUTHORIZED: '0'},
		timeoutMs: 50_000,
	});
	try {
		await waitFor(() => /Press Ctrl-C/.test(child.stdout()) || child.child.exitCode !== null, 'the banner', 20_000);
		const url = /listening on (https:\S+)/.exec(child.stdout())?.[1];
		assert.ok(url, `no https banner: ${child.stdout()} ${child.stderr()}`);
		const {Agent, fetch: undiciFetch} = await import('undici');
		const dispatcher = new Agent({connect: {rejectUnauthorized: false}});
		const get = async (path: string, init: Record<string, unknown> = {}): Promise<number> => {
			const response = await undiciFetch(`${url}${path}`, {dispatcher, ...init});
			await response.arrayBuffer();
			return response.status;
		};

		// Connections go round-robin: several tries reach both workers.
		for (let index = 0; index < 4; index++) {
			assert.equal(await get('/health'), 200);
			assert.equal(await get('/dashboard/debug'), 401);
			assert.equal(await get('/dashboard/debug', {headers: {Authorization: `Bearer ${token}`}}), 200);
			assert.equal(await get(`/dashboard/trigger-test?token=${token}`), 405);
			assert.equal(await get(`/dashboard/trigger-test?count=1&token=${token}`, {method: 'POST'}), 200);
			const status = await new Promise<number>(resolve => {
				const ws = new WebSocket(`${url.replace('https', 'wss')}/ws?token=${token}`, {origin: 'https://evil.example', rejectUnauthorized: false});
				ws.on('unexpected-response', (_request, response) => {
					resolve(response.statusCode ?? 0);
				});
				ws.on('open', () => {
					ws.terminate();
					resolve(101);
				});
				ws.on('error', () => {});
			});
			assert.equal(status, 403);
		}

		assert.doesNotMatch(child.stdout() + child.stderr(), new RegExp(token));
	} finally {
		child.kill('SIGKILL');
		await child.code;
	}
});
