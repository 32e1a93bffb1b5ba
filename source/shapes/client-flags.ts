/**
 * One small number per client (0 by default), in a typed array indexed by client id that grows
 * as ids do: the shapes keep per-client state this way, so an event costs a load and a store.
 */
export class ClientFlags {
	private values = new Uint8Array(1024);

	get(id: number): number {
		return this.values[id] ?? 0;
	}

	set(id: number, value: number): void {
		if (id >= this.values.length) {
			const grown = new Uint8Array(Math.max(id + 1, this.values.length * 2));
			grown.set(this.values);
			this.values = grown;
		}

		this.values[id] = value;
	}
}
