import type { Observation, SymbolWindow, Zone } from '../../domain/index.js';

/**
 * A symbol's window packed into one DynamoDB binary attribute. A write costs one unit per KB of the whole item, so
 * each observation is a few bytes: the event-time delta from its predecessor, the zone and mark in one byte, and the
 * price as the decimal it was sent as (mantissa and exponent), which round-trips exactly.
 *
 *   version (1) · flags (bit 0: truncated) · count · count × [Δ event time · zone | mark << 2 · exponent · mantissa]
 *
 * Integers are LEB128 varints; the exponent is zigzag-encoded.
 */
export const WINDOW_FORMAT_VERSION = 1;

const ZONES: readonly Zone[] = ['NORMAL', 'HIGH', 'LOW'];

class Writer {
  private readonly bytes: number[] = [];
  byte(value: number): void {
    this.bytes.push(value);
  }
  uint(value: number | bigint): void {
    let n = BigInt(value);
    while (n >= 0x80n) {
      this.bytes.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.bytes.push(Number(n));
  }
  int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

class Reader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.offset >= this.bytes.length) throw new Error('window attribute is truncated');
    return this.bytes[this.offset++]!;
  }
  big(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
    }
  }
  uint(): number {
    return Number(this.big());
  }
  int(): number {
    const z = this.uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
  get finished(): boolean {
    return this.offset === this.bytes.length;
  }
}

/** The shortest decimal that reads back as `price`, as an integer mantissa and a power of ten. */
export function decimalOf(price: number): { mantissa: bigint; exponent: number } {
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(price));
  if (!match) throw new RangeError(`cannot pack price ${price}`);
  const [, whole, fraction = '', power = '0'] = match;
  return { mantissa: BigInt(`${whole}${fraction}`), exponent: Number(power) - fraction.length };
}

export function encodeWindow(window: SymbolWindow): Uint8Array {
  const out = new Writer();
  out.byte(WINDOW_FORMAT_VERSION);
  out.byte(window.truncated ? 1 : 0);
  out.uint(window.observations.length);
  let previous = 0;
  for (const o of window.observations) {
    out.uint(o.eventTime - previous);
    previous = o.eventTime;
    out.byte(ZONES.indexOf(o.zone) | (o.marked ? 4 : 0));
    const { mantissa, exponent } = decimalOf(o.price);
    out.int(exponent);
    out.uint(mantissa);
  }
  return out.done();
}

export function decodeWindow(bytes: Uint8Array): SymbolWindow {
  const input = new Reader(bytes);
  const version = input.byte();
  if (version !== WINDOW_FORMAT_VERSION) throw new Error(`window attribute has format ${version}; this version reads ${WINDOW_FORMAT_VERSION}`);
  const truncated = (input.byte() & 1) === 1;
  const count = input.uint();
  const observations: Observation[] = [];
  let eventTime = 0;
  for (let i = 0; i < count; i++) {
    eventTime += input.uint();
    const flags = input.byte();
    const zone = ZONES[flags & 3];
    if (!zone) throw new Error(`window attribute has an unknown zone code ${flags & 3}`);
    const exponent = input.int();
    const price = Number(`${input.big()}e${exponent}`);
    observations.push({ eventTime, price, zone, marked: (flags & 4) !== 0 });
  }
  if (!input.finished) throw new Error('window attribute has trailing bytes');
  return { observations, truncated };
}
