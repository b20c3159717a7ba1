/**
 * Clients subscribed to the same set of signals share one group, so a tick's `values` message is
 * built and encoded once per group rather than once per client (most screens watch the same signals).
 */
export class SubscriptionGroups {
  private readonly idsBySignature = new Map<string, number>();
  private readonly groups = new Map<number, { readonly signature: string; readonly keys: ReadonlySet<string>; members: number }>();
  private nextId = 1;

  /** The group of this set of keys, created on first use. */
  join(keys: ReadonlySet<string>): number {
    const signature = [...keys].sort().join(',');
    let id = this.idsBySignature.get(signature);
    if (id === undefined) {
      id = this.nextId++;
      this.idsBySignature.set(signature, id);
      this.groups.set(id, { signature, keys: new Set(keys), members: 0 });
    }
    this.groups.get(id)!.members += 1;
    return id;
  }

  leave(id: number): void {
    const group = this.groups.get(id);
    if (group === undefined) return;
    group.members -= 1;
    if (group.members > 0) return;
    this.groups.delete(id);
    this.idsBySignature.delete(group.signature);
  }

  keys(id: number): ReadonlySet<string> {
    return this.groups.get(id)?.keys ?? new Set();
  }
}
