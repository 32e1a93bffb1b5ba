import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, stat, symlink} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {startTestServer, type TestServer} from '../helpers/server-start.js';

describe('sse-tui --report', () => {
	let server: TestServer;
	let dir: string;
	const run = (report: string, extra: string[] = []) => runCli(['--url', `${server.url}/dashboard/stream`, '--duration', '500ms', '--no-tui', '--report', report, ...extra], {timeoutMs: 20_000});

	before(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'sse-tui-report-cli-'));
		server = await startTestServer({intervalMs: 100});
	});

	after(async () => {
		await server.close();
		await rm(dir, {recursive: true, force: true});
	});

	test('--help shows the flag and an example', async () => {
		const result = await runCli(['--help']);
		assert.match(result.stdout, /--report FILE +write a self-contained HTML report/);
		assert.match(result.stdout, /\$ sse-tui .*--report run\.html/);
	});

	test('writes the file and says so on stdout after the text summary', async () => {
		const file = path.join(dir, 'plain.html');
		const result = await run(file);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, new RegExp(`\\nreport written to ${file.replaceAll('.', '\\.')}\\n$`));
		assert.match(await readFile(file, 'utf8'), /^<!doctype html>[\s\S]*<\/html>\n$/);
	});

	test('with --json the line goes to stderr and stdout stays one JSON object', async () => {
		const file = path.join(dir, 'json.html');
		const result = await run(file, ['--json']);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(JSON.parse(result.stdout).version, 1);
		assert.match(result.stderr, /^report written to /m);
	});

	test('a directory, or a file in a folder that does not exist, is a usage error before the run starts', async () => {
		for (const [report, message] of [[dir, /is a directory: name a file in it, e\.g\. --report .*report\.html$/m], [path.join(dir, 'nope', 'r.html'), /the folder .*nope does not exist; create it first or pick another path$/m]] as const) {
			const result = await run(report);
			assert.equal(result.code, 2, result.stderr);
			assert.match(result.stderr, message);
			assert.equal(result.stdout, '', 'no run: no banner, no summary');
		}
	});

	test('a report that cannot be written: one line on stderr, exit 1, the summary still printed', async () => {
		// A dangling symlink passes the check before the run (nothing there, the folder exists) and fails the write.
		const file = path.join(dir, 'dangling.html');
		await symlink(path.join(dir, 'missing-folder', 'target.html'), file);
		const result = await run(file, ['--json']);
		assert.equal(result.code, 1);
		assert.equal(JSON.parse(result.stdout).version, 1, 'the summary is on stdout');
		assert.match(result.stderr, new RegExp(`^sse-tui: cannot write the report to ${file.replaceAll('.', '\\.')}: ENOENT`, 'm'));
		assert.doesNotMatch(result.stderr, /report written|\n\s+at /);
		await assert.rejects(stat(file));
	});
});
