/**
 * A bounded set that forgets its oldest half when full: the role of Core's
 * CRollingBloomFilter (recent rejects, what a peer already knows), exact rather than
 * probabilistic, two generations of at most capacity / 2 entries each.
 */
export class RollingSet {
  private current = new Set<string>();
  private previous = new Set<string>();

  constructor(private readonly capacity: number) {
    if (capacity < 2) throw new RangeError('RollingSet capacity must be at least 2');
  }

  add(key: string): void {
    if (this.current.has(key)) return;
    if (this.current.size >= this.capacity / 2) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(key);
  }

  has(key: string): boolean {
    return this.current.has(key) || this.previous.has(key);
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  clear(): void {
    this.current.clear();
    this.previous.clear();
  }
}
