/**
 * Which proxy a URL goes through, as curl decides it (curl(1), "ENVIRONMENT"): `--proxy` first,
 * then `http_proxy` for http:// (lowercase only: curl ignores HTTP_PROXY, which a CGI server sets
 * from a request's `Proxy:` header, "httpoxy"), `HTTPS_PROXY` or `https_proxy` for https://, then
 * `ALL_PROXY` / `all_proxy`. `NO_PROXY` / `no_proxy` exempts hosts from any of them, `--proxy`
 * included: a comma list of names (a name matches itself and its subdomains; a leading dot is
 * the same), IP addresses, IPv4 CIDR ranges, `*` for every host; a `:port` suffix limits the
 * entry to that port.
 */
import {isIP} from 'node:net';

export type Environment = Readonly<Record<string, string | undefined>>;

function env(environment: Environment, ...names: string[]): string | undefined {
	for (const name of names) {
		const value = environment[name];
		if (value !== undefined && value.trim() !== '') {
			return value.trim();
		}
	}

	return undefined;
}

function ipv4(text: string): number | undefined {
	const parts = text.split('.');
	if (parts.length !== 4 || isIP(text) !== 4) {
		return undefined;
	}

	return parts.reduce((total, part) => (total * 256) + Number(part), 0);
}

function matches(entry: string, host: string, port: number): boolean {
	let name = entry.toLowerCase();
	const portMatch = /^(.*[^:\]]):(\d+)$/.exec(name);
	if (portMatch && !name.startsWith('[') && isIP(name) !== 6) {
		if (Number(portMatch[2]) !== port) {
			return false;
		}

		name = portMatch[1]!;
	}

	name = name.replace(/^\[(.*)]$/, '$1');
	if (name === '*') {
		return true;
	}

	const slash = name.indexOf('/');
	if (slash > 0) {
		const base = ipv4(name.slice(0, slash));
		const bits = Number(name.slice(slash + 1));
		const address = ipv4(host);
		if (base === undefined || address === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
			return false;
		}

		const size = 2 ** (32 - bits);
		return Math.floor(address / size) === Math.floor(base / size);
	}

	if (name.startsWith('.')) {
		name = name.slice(1);
	}

	return host === name || host.endsWith(`.${name}`);
}

/** True when NO_PROXY exempts this URL's host. */
export function exemptFromProxy(url: URL, environment: Environment): boolean {
	const list = env(environment, 'NO_PROXY', 'no_proxy');
	if (list === undefined) {
		return false;
	}

	const host = url.hostname.replace(/^\[(.*)]$/, '$1').toLowerCase();
	const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
	return list.split(',').map(entry => entry.trim()).filter(Boolean).some(entry => matches(entry, host, port));
}

/**
 * The proxy URL for `target`, or undefined for a direct connection. `flag` is `--proxy` as given:
 * undefined when absent, '' to turn the environment's proxies off (curl's `--proxy ''`).
 */
export function proxyFor(target: URL, flag: string | undefined, environment: Environment): string | undefined {
	if (flag === '') {
		return undefined;
	}

	const chosen = flag ?? (target.protocol === 'https:' ? env(environment, 'HTTPS_PROXY', 'https_proxy') : env(environment, 'http_proxy'))
		?? env(environment, 'ALL_PROXY', 'all_proxy');
	if (chosen === undefined || exemptFromProxy(target, environment)) {
		return undefined;
	}

	// curl takes a bare host:port as an http:// proxy.
	return /^[a-z][a-z\d+.-]*:\/\//i.test(chosen) ? chosen : `http://${chosen}`;
}
