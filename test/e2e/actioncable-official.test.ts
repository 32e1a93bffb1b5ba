import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {createRequire} from 'node:module';
import {after, before, describe, test} from 'node:test';
import {WebSocketServer} from 'ws';
import {chromiumSkip, consoleLines, runChromium} from '../helpers/chromium.js';

/**
 * Does the official ActionCable JS client (@rails/actioncable, a devDependency) accept a /cable
 * that picks no subprotocol, as the seeds' Go server does? Headless Chromium loads the client
 * from a page served here and connects it to a scripted ActionCable server on 127.0.0.1 that
 * either answers `actioncable-v1-json` (the control) or leaves Sec-WebSocket-Protocol out.
 *
 * --dump-dom prints the DOM once the page has loaded; the page holds its load open with an image
 * (`/wait`) that this server answers only after the page has reported what the client did.
 */

const require = createRequire(import.meta.url);
const clientScript = readFileSync(require.resolve('@rails/actioncable'), 'utf8');

const page = (port: number) => `<!doctype html><html><head><meta charset="utf-8">
<script src="/actioncable.js"></script>
<script>
const seen = [];
let reported = false;
function report() {
	if (reported) return;
	reported = true;
	seen.push('protocol:' + JSON.stringify(consumer.connection.getProtocol() ?? null));
	document.getElementById('out').textContent = seen.join('|');
	fetch('/report?' + encodeURIComponent(seen.join('|')));
}
// The browser's own verdict on the handshake, beside the client's: a bare WebSocket offering the same.
const bare = new WebSocket('ws://127.0.0.1:${port}/cable', ['actioncable-v1-json', 'actioncable-unsupported']);
bare.onopen = () => { seen.push('bare:open:' + JSON.stringify(bare.protocol)); bare.close(); };
bare.onerror = () => seen.push('bare:error');
ActionCable.logger.enabled = true;
const consumer = ActionCable.createConsumer('ws://127.0.0.1:${port}/cable');
consumer.subscriptions.create({channel: 'DashboardUpdatesChannel'}, {
	connected() { seen.push('connected'); },
	rejected() { seen.push('rejected'); report(); },
	disconnected() { seen.push('disconnected'); },
	received(data) { seen.push('received:' + JSON.stringify(data)); report(); },
});
setTimeout(report, 3000);
</script></head><body><pre id="out"></pre><img src="/wait" alt=""></body></html>`;

type Observed = {dom: string; seen: string; console: string[]; server: string[]; stderr: string};

describe('the official ActionCable JS client in Chromium', {skip: chromiumSkip}, () => {
	let server: http.Server;
	let port = 0;
	let pickProtocol = true;
	let server$: string[] = [];
	let reported: ((value: string) => void) | undefined;
	let report = Promise.resolve('');
	const wss = new WebSocketServer({
		noServer: true,
		// false: no Sec-WebSocket-Protocol header at all (ws adds none), as the seeds' Go server.
		handleProtocols: protocols => pickProtocol && protocols.has('actioncable-v1-json') ? 'actioncable-v1-json' : false,
	});
	wss.on('connection', (socket, request) => {
		server$.push(`upgrade offered=${request.headers['sec-websocket-protocol'] ?? ''} chosen=${socket.protocol || '(none)'}`);
		socket.send(JSON.stringify({type: 'welcome'}));
		socket.on('message', data => {
			const command = JSON.parse(String(data)) as {command: string; identifier: string};
			server$.push(`command ${command.command}`);
			if (command.command === 'subscribe') {
				socket.send(JSON.stringify({identifier: command.identifier, type: 'confirm_subscription'}));
				socket.send(JSON.stringify({identifier: command.identifier, message: {hello: 'world'}}));
			}
		});
		socket.on('close', code => server$.push(`closed ${code}`));
	});

	before(async () => {
		server = http.createServer((request, response) => {
			const url = new URL(request.url ?? '/', 'http://127.0.0.1');
			if (url.pathname === '/') {
				response.writeHead(200, {'content-type': 'text/html'}).end(page(port));
			} else if (url.pathname === '/actioncable.js') {
				response.writeHead(200, {'content-type': 'text/javascript'}).end(clientScript);
			} else if (url.pathname === '/report') {
				reported?.(decodeURIComponent(url.search.slice(1)));
				response.writeHead(204).end();
			} else if (url.pathname === '/wait') {
				const timer = setTimeout(() => response.writeHead(204).end(), 10_000);
				void report.then(() => {
					clearTimeout(timer);
					response.writeHead(204).end();
				});
			} else {
				response.writeHead(404).end();
			}
		});
		server.on('upgrade', (request, socket, head) => {
			wss.handleUpgrade(request, socket, head, ws => wss.emit('connection', ws, request));
		});
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		({port} = server.address() as AddressInfo);
	});
	after(async () => {
		for (const client of wss.clients) {
			client.terminate();
		}

		server.closeAllConnections();
		await new Promise(resolve => server.close(resolve));
	});

	async function open(withProtocol: boolean): Promise<Observed> {
		pickProtocol = withProtocol;
		server$ = [];
		report = new Promise(resolve => {
			reported = resolve;
		});
		const result = await runChromium(['--dump-dom', `http://127.0.0.1:${port}/`]);
		assert.equal(result.code, 0, `chromium exited ${result.code}: ${result.stderr.slice(-1000)}`);
		const seen = /<pre id="out">([^<]*)<\/pre>/.exec(result.stdout)?.[1] ?? '';
		return {dom: result.stdout, seen: seen.replaceAll('&quot;', '"'), console: consoleLines(result.stderr), server: server$, stderr: result.stderr};
	}

	test('control: a server that picks actioncable-v1-json is connected, confirmed and heard', async () => {
		const {seen, server} = await open(true);
		const parts = seen.split('|');
		assert.ok(parts.includes('bare:open:"actioncable-v1-json"'), seen);
		assert.ok(parts.includes('connected') && parts.includes('received:{"hello":"world"}'), seen);
		assert.equal(parts.at(-1), 'protocol:"actioncable-v1-json"');
		assert.ok(server.includes('command subscribe'), server.join('; '));
	});

	test('a server that picks no subprotocol: Chromium fails the handshake, the client never connects', async () => {
		const {seen, server, console} = await open(false);
		const parts = seen.split('|');
		// WHATWG Fetch, "establish a WebSocket connection": protocols were offered and the answer
		// has no Sec-WebSocket-Protocol, so the connection fails; Chromium does so (onerror, 1006).
		assert.ok(parts.includes('bare:error') && !parts.some(part => part.startsWith('bare:open')), seen);
		assert.ok(!parts.includes('connected') && !parts.some(part => part.startsWith('received')), seen);
		assert.equal(parts.at(-1), 'protocol:""');
		assert.ok(server.some(line => line.endsWith('chosen=(none)')), server.join('; '));
		assert.ok(!server.includes('command subscribe'), server.join('; '));
		assert.ok(console.some(line => line.includes('[ActionCable] WebSocket onerror event')), console.join('\n'));
	});
});
