import type {ClientEvent, ClientSink} from '../../source/engine/types.js';

/** A sink that keeps every event, for assertions; a real object, not a mock of behaviour. */
export function createRecordingSink(): ClientSink & {events: ClientEvent[]; bytesSeen: number; of<K extends ClientEvent['kind']>(kind: K): Array<Extract<ClientEvent, {kind: K}>>} {
	const events: ClientEvent[] = [];
	return {
		events,
		bytesSeen: 0,
		emit(event) {
			events.push(event);
		},
		bytes(_client, count) {
			this.bytesSeen += count;
		},
		of(kind) {
			return events.filter(event => event.kind === kind) as never;
		},
	};
}
