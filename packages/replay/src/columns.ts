type Numeric = Int32Array | Uint32Array | Float64Array | Uint8Array;

/**
 * A typed-array column that grows as values are pushed: a fold over a session fills it without
 * the 8 bytes per value and the copies of a number[] converted at the end. Given the right
 * capacity up front (a streamed session's counts) it never copies at all.
 */
export class Column<T extends Numeric> {
  private values: T;
  length = 0;

  constructor(
    private readonly make: (n: number) => T,
    capacity = 0,
  ) {
    this.values = make(Math.max(16, capacity));
  }

  push(x: number): void {
    if (this.length === this.values.length) {
      const bigger = this.make(this.values.length * 2);
      bigger.set(this.values as never);
      this.values = bigger;
    }
    this.values[this.length++] = x;
  }

  /** The pushed values: a view when little capacity is left unused, else an exact copy. */
  done(): T {
    const n = this.length;
    return (n >= this.values.length * 0.75 ? this.values.subarray(0, n) : this.values.slice(0, n)) as T;
  }
}

export const int32 = (n: number) => new Int32Array(n);
export const uint32 = (n: number) => new Uint32Array(n);
export const float64 = (n: number) => new Float64Array(n);
export const uint8 = (n: number) => new Uint8Array(n);
