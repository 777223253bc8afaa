/** One time bucket of a price series: its lowest and highest price and when each happened. */
interface Bucket {
  minTime: number;
  minPrice: number;
  maxTime: number;
  maxPrice: number;
}

/** A point of a decimated series: [event time (ms), price]. */
export type SeriesPoint = readonly [number, number];

/**
 * Min/max decimation of a price series, streaming and bounded: ticks fall into time buckets of equal width, each
 * keeping only its lowest and highest price, so the drawn line still reaches every extreme. When there are more
 * than `maxBuckets`, the width doubles and neighbours merge; memory never exceeds `maxBuckets` buckets, whatever the
 * number of ticks or their order. Until the first merge each bucket is one millisecond wide.
 */
export class MinMaxDecimator {
  private readonly buckets = new Map<number, Bucket>();
  private origin: number | undefined;
  private width = 1;
  private count = 0;
  /** The earliest and latest ticks: kept apart so the series spans every tick (and every alert marker). */
  private first: SeriesPoint | undefined;
  private last: SeriesPoint | undefined;

  constructor(private readonly maxBuckets: number) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2) throw new RangeError(`maxBuckets must be a whole number of at least 2 (got ${maxBuckets})`);
  }

  add(time: number, price: number): void {
    this.count++;
    this.origin ??= time;
    if (!this.first || time < this.first[0]) this.first = [time, price];
    if (!this.last || time >= this.last[0]) this.last = [time, price];
    const index = Math.floor((time - this.origin) / this.width);
    const bucket = this.buckets.get(index);
    if (!bucket) {
      this.buckets.set(index, { minTime: time, minPrice: price, maxTime: time, maxPrice: price });
      if (this.buckets.size > this.maxBuckets) this.coarsen();
      return;
    }
    if (price < bucket.minPrice || (price === bucket.minPrice && time < bucket.minTime)) {
      bucket.minPrice = price;
      bucket.minTime = time;
    }
    if (price > bucket.maxPrice || (price === bucket.maxPrice && time < bucket.maxTime)) {
      bucket.maxPrice = price;
      bucket.maxTime = time;
    }
  }

  /** Double the bucket width until the buckets fit again. */
  private coarsen(): void {
    while (this.buckets.size > this.maxBuckets) {
      this.width *= 2;
      const merged = new Map<number, Bucket>();
      for (const [index, b] of this.buckets) {
        const into = Math.floor(index / 2);
        const m = merged.get(into);
        if (!m) {
          merged.set(into, b);
          continue;
        }
        if (b.minPrice < m.minPrice || (b.minPrice === m.minPrice && b.minTime < m.minTime)) [m.minPrice, m.minTime] = [b.minPrice, b.minTime];
        if (b.maxPrice > m.maxPrice || (b.maxPrice === m.maxPrice && b.maxTime < m.maxTime)) [m.maxPrice, m.maxTime] = [b.maxPrice, b.maxTime];
      }
      this.buckets.clear();
      for (const [index, b] of merged) this.buckets.set(index, b);
    }
  }

  /** Ticks added. */
  get ticks(): number {
    return this.count;
  }

  /** Milliseconds each bucket spans now (1 until the first merge). */
  get bucketWidthMs(): number {
    return this.width;
  }

  /** The series in time order: the earliest tick, each bucket's low and high, the latest tick (each point once). */
  points(): SeriesPoint[] {
    const out: SeriesPoint[] = [];
    const push = (p: SeriesPoint) => {
      const prev = out.at(-1);
      if (!prev || prev[0] !== p[0] || prev[1] !== p[1]) out.push(p);
    };
    if (this.first) push(this.first);
    for (const index of [...this.buckets.keys()].sort((a, b) => a - b)) {
      const b = this.buckets.get(index)!;
      const [a, z]: [SeriesPoint, SeriesPoint] =
        b.minTime <= b.maxTime
          ? [
              [b.minTime, b.minPrice],
              [b.maxTime, b.maxPrice],
            ]
          : [
              [b.maxTime, b.maxPrice],
              [b.minTime, b.minPrice],
            ];
      // The first and last ticks sit in the outer buckets, possibly between their low and high: keep time order.
      if (a[0] >= out.at(-1)![0]) push(a);
      if (z[0] >= out.at(-1)![0]) push(z);
    }
    if (this.last && this.last[0] >= out.at(-1)![0]) push(this.last);
    return out;
  }
}
