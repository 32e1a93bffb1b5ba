import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import {describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {Deployment} from 'kubernetes-models/apps/v1';
import {Job} from 'kubernetes-models/batch/v1';
import {Secret, Service} from 'kubernetes-models/v1';
import {parseAllDocuments} from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const directory = `${root}deploy/kubernetes/`;
const packageJson = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {version: string; bin: Record<string, string>};

/** The kinds the manifests use, each validated against its Kubernetes JSON schema (kubernetes-models). */
const models: Record<string, new (data: never) => {validate(): void}> = {
	'apps/v1 Deployment': Deployment,
	'batch/v1 Job': Job,
	'v1 Service': Service,
	'v1 Secret': Secret,
};

type Manifest = {apiVersion: string; kind: string; metadata: {name: string}; spec?: any};

function manifests(): Array<{file: string; manifest: Manifest}> {
	return readdirSync(directory).filter(file => file.endsWith('.yaml')).sort().flatMap(file => parseAllDocuments(readFileSync(directory + file, 'utf8')).map(document => {
		assert.deepEqual(document.errors, [], `${file} is valid YAML`);
		return {file, manifest: document.toJS() as Manifest};
	}));
}

function containers(manifest: Manifest): Array<{image: string; args?: string[]; env?: Array<{name: string; value?: string; valueFrom?: any}>}> {
	return manifest.spec?.template?.spec?.containers ?? [];
}

describe('deploy/kubernetes', () => {
	test('every manifest validates against the Kubernetes schema, offline', () => {
		const found = manifests();
		assert.ok(found.length >= 5, `${found.length} manifests`);
		for (const {file, manifest} of found) {
			const Model = models[`${manifest.apiVersion} ${manifest.kind}`];
			assert.ok(Model, `${file}: ${manifest.apiVersion} ${manifest.kind} has a schema here`);
			assert.doesNotThrow(() => {
				new Model(manifest as never).validate();
			}, `${file}: ${manifest.kind} ${manifest.metadata.name}`);
		}
	});

	test('the schema check catches a broken manifest', () => {
		const agents = manifests().find(({manifest}) => manifest.metadata.name === 'sse-tui-agents')!.manifest;
		const broken = structuredClone(agents);
		broken.spec.completionMode = 'Sequential';
		assert.throws(() => {
			new Job(broken as never).validate();
		}, /completionMode/);
	});

	test('the agents are an Indexed Job named by their completion index, as many at once as completions', () => {
		const agents = manifests().find(({manifest}) => manifest.metadata.name === 'sse-tui-agents')!.manifest;
		assert.equal(agents.spec.completionMode, 'Indexed');
		assert.equal(agents.spec.parallelism, agents.spec.completions);
		const [container] = containers(agents);
		const args = container!.args!;
		assert.equal(args[0], 'agent');
		assert.equal(args[args.indexOf('--name') + 1], 'agent-$(JOB_COMPLETION_INDEX)');
		const index = container!.env!.find(variable => variable.name === 'JOB_COMPLETION_INDEX');
		assert.equal(index?.valueFrom?.fieldRef?.fieldPath, 'metadata.annotations[\'batch.kubernetes.io/job-completion-index\']');
		assert.deepEqual(agents.spec.template.spec.securityContext.sysctls, [{name: 'net.ipv4.ip_local_port_range', value: '1024 65535'}]);
		// The controller waits for as many agents as the Job starts.
		const controller = manifests().find(({manifest}) => manifest.metadata.name === 'sse-tui-controller')!.manifest;
		const controllerArgs = containers(controller)[0]!.args!;
		assert.equal(Number(controllerArgs[controllerArgs.indexOf('--agents') + 1]), agents.spec.completions);
		assert.equal(controllerArgs[controllerArgs.indexOf('--run') + 1], '$(RUN_ID)');
	});

	test('the sse-tui pods run the image the Dockerfile builds, at this version', () => {
		const images = manifests().flatMap(({manifest}) => containers(manifest).map(container => container.image)).filter(image => image.startsWith('sse-tui'));
		assert.deepEqual([...new Set(images)], [`sse-tui:${packageJson.version}`]);
		assert.match(readFileSync(`${root}Dockerfile`, 'utf8'), new RegExp(`docker build -t sse-tui:${packageJson.version.replaceAll('.', '\\.')} \\.`));
	});
});
