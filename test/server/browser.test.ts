import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {startTestServer, waitFor} from '../helpers/server-start.js';

const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find(name => spawnSync('which', [name]).status === 0);

/** The page a real browser runs: EventSource + WebSocket + ActionCable, then it reports back. */
function page(serverUrl: string): string {
	const ws = serverUrl.replace('http', 'ws');
	return `<!doctype html><html><body><p id="status">waiting</p><script>
const report = {sse: null, lastEventId: null, ws: null, cable: null, errors: []};
let sent = false;
function done() {
	if (sent || !report.sse || !report.ws || !report.cable) return;
	sent = true;
	document.getElementById('status').textContent = 'received';
	fetch('/report', {method: 'POST', body: JSON.stringify(report)});
}
const source = new EventSource(${JSON.stringify(`${serverUrl}/dashboard/stream`)});
source.onmessage = event => { report.sse ??= JSON.parse(event.data); report.lastEventId ??= event.lastEventId; done(); };
source.onerror = () => report.errors.push('eventsource error, readyState ' + source.readyState);
const socket = new WebSocket(${JSON.stringify(`${ws}/ws`)});
socket.onmessage = event => { report.ws ??= JSON.parse(event.data); done(); };
const cable = new WebSocket(${JSON.stringify(`${ws}/cable`)}, ['actioncable-v1-json', 'actioncable-unsupported']);
const identifier = JSON.stringify({channel: 'DashboardUpdatesChannel'});
cable.onopen = () => cable.send(JSON.stringify({command: 'subscribe', identifier}));
cable.onmessage = event => { const frame = JSON.parse(event.data); if (frame.message && frame.identifier === identifier) { report.cable ??= {protocol: cable.protocol, frame}; done(); } };
</script></body></html>`;
}

test('a real browser receives updates over EventSource, WebSocket and ActionCable', {skip: chromium ? false : 'chromium is not installed (apt-get install chromium; .ci/run does this)', timeout: 60_000}, async () => {
	const server = await startTestServer({intervalMs: 100});
	let report: Record<string, any> | undefined;
	let pageServer: Server | undefined;
	const profile = mkdtempSync(path.join(tmpdir(), 'sse-tui-chromium-'));
	let browser: ReturnType<typeof spawn> | undefined;
	try {
		// The page comes from another origin (port), as a dashboard on its own dev server would.
		pageServer = createServer((req, res) => {
			if (req.method === 'POST' && req.url === '/report') {
				let body = '';
				req.on('data', (chunk: Buffer) => {
					body += chunk.toString();
				});
				req.on('end', () => {
					report = JSON.parse(body) as Record<string, any>;
					res.end('thanks');
				});
				return;
			}

			res.writeHead(req.url === '/' ? 200 : 404, {'Content-Type': 'text/html'});
			res.end(req.url === '/' ? page(server.url) : '');
		});
		await new Promise<void>(resolve => pageServer!.listen(0, '127.0.0.1', resolve));
		const address = pageServer.address();
		const pageUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
		let browserLog = '';
		browser = spawn(chromium!, [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-dev-shm-usage',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			`--user-data-dir=${profile}`,
			pageUrl,
		], {
			detached: true, // Its own process group, so its helpers die with it.
			env: {...process.env, TMPDIR: profile}, // Its scratch files go where the test cleans up.
		});
		browser.stderr?.on('data', (chunk: Buffer) => {
			browserLog = (browserLog + chunk.toString()).slice(-4000);
		});
		await waitFor(() => report !== undefined, `the browser's report (chromium said: ${browserLog.slice(-500)})`, 45_000);
		assert.equal(report!['sse'].system_status.status, 'online');
		assert.match(report!['lastEventId'], /^\d+$/);
		assert.equal(typeof report!['ws'].sent_at, 'number');
		assert.equal(report!['cable'].protocol, 'actioncable-v1-json');
		assert.equal(typeof report!['cable'].frame.message.timestamp, 'string');
	} finally {
		if (browser?.pid !== undefined && browser.exitCode === null) {
			const exited = new Promise(resolve => browser!.once('close', resolve));
			process.kill(-browser.pid, 'SIGKILL');
			await exited;
		}

		pageServer?.closeAllConnections();
		pageServer?.close();
		await server.close();
		rmSync(profile, {recursive: true, force: true, maxRetries: 5, retryDelay: 100});
	}
});
