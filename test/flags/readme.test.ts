import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {readFile} from 'node:fs/promises';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {test} from 'node:test';
import {publishCommand} from '../../source/flags/publish.js';
import {sectionTable, updateReadme} from '../../source/flags/readme.js';
import {runCommand} from '../../source/flags/run.js';
import {serveCommand} from '../../source/flags/serve.js';

const readmePath = fileURLToPath(new URL('../../../README.md', import.meta.url));
const commands = [runCommand, serveCommand, publishCommand];

test('the README\'s flag tables are what the definitions generate (npm run docs:flags rewrites them)', async () => {
	const readme = await readFile(readmePath, 'utf8');
	const {text, covered} = updateReadme(readme, commands);
	for (const command of commands) {
		assert.deepEqual([...covered.get(command.id)!].sort(), command.sections.map(each => each.id).sort(), `every section of ${command.name} has a table in the README`);
	}

	if (text !== readme) {
		const line = text.split('\n').findIndex((each, index) => each !== readme.split('\n')[index]);
		assert.fail(`README.md line ${line + 1} differs from the definitions: run "npm run docs:flags"\n  README: ${readme.split('\n')[line]}\n  wanted: ${text.split('\n')[line]}`);
	}
});

test('a table row holds the flag, its config key, type, default with its environment variable, and meaning', () => {
	const table = sectionTable(runCommand.sections.find(each => each.id === 'load')!, {configKeys: true});
	assert.match(table, /^\| `--clients` \| `clients` \| whole number ≥ 1 \| `1` \(env `SSE_CLIENTS`\) \| concurrent clients; beats the scenario's count \|$/m);
	assert.match(table, /^\| `--max-backoff` \| `maxBackoff` \| duration \| `30s` \| cap for the exponential backoff after failed attempts \|$/m);
});

test('the check script exits 1 on a stale README and names the fix', async () => {
	const script = fileURLToPath(new URL('../../scripts/flags-readme.js', import.meta.url));
	const ok = await promisify(execFile)(process.execPath, [script]);
	assert.match(ok.stdout, /up to date/);
	const readme = await readFile(readmePath, 'utf8');
	const stale = readme.replace('| `--clients` |', '| `--clinets` |');
	assert.notEqual(updateReadme(stale, commands).text, stale, 'an edited row is rewritten');
	const unmarked = readme.replace('<!-- flags:serve:redis -->', '').replace('<!-- /flags:serve:redis -->', '');
	assert.equal(updateReadme(unmarked, commands).covered.get('serve')!.has('redis'), false, 'a missing marker leaves its section uncovered');
});
