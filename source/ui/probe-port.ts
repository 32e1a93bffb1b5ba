import {connect} from 'node:net';

/**
 * Whether something accepts TCP connections on host:port: a real connect attempt, closed at
 * once. Any failure (refused, timeout, DNS) counts as "nothing listens". `localhost` may
 * resolve to ::1 and 127.0.0.1; autoSelectFamily tries each, as the clients do.
 */
export async function probePort(port: number, host = 'localhost', timeoutMs = 1000): Promise<boolean> {
	return new Promise(resolve => {
		const socket = connect({port, host, autoSelectFamily: true});
		const done = (listening: boolean) => {
			socket.destroy();
			clearTimeout(timer);
			resolve(listening);
		};

		const timer = setTimeout(() => {
			done(false);
		}, timeoutMs);
		socket.once('connect', () => {
			done(true);
		});
		socket.once('error', () => {
			done(false);
		});
	});
}
