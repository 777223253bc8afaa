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
const WINDOW_FORMAT_VERSION = 1;

const ZONES: readonly Zone[] = ['NORMAL', 'HIGH', 'LOW'];

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

class Writer {
  private bytes = new Uint8Array(256);
  private length = 0;
  byte(value: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = value;
  }
  uint(value: number | bigint): void {
    if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER)) value = Number(value);
    if (typeof value === 'number') {
      for (; value >= 0x80; value = Math.floor(value / 0x80)) this.byte((value % 0x80) | 0x80);
      this.byte(value);
      return;
    }
    for (; value >= 0x80n; value >>= 7n) this.byte(Number(value & 0x7fn) | 0x80);
    this.byte(Number(value));
  }
  int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }
  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

class Reader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.offset >= this.bytes.length) throw new Error('window attribute is truncated');
    return this.bytes[this.offset++]!;
  }
  /** Plain numbers while the value is surely below 2^53 (7 bytes hold 49 bits), BigInt beyond. */
  uint(): number | bigint {
    let result = 0;
    for (let scale = 1, n = 0; n < 7; scale *= 0x80, n++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
    }
    let big = BigInt(result);
    for (let shift = 49n; ; shift += 7n) {
      const b = this.byte();
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
  }
  number(): number {
    return Number(this.uint());
  }
  int(): number {
    const z = this.number();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
  get finished(): boolean {
    return this.offset === this.bytes.length;
  }
}

/** The shortest decimal that reads back as `price`, as an integer mantissa and a power of ten. */
export function decimalOf(price: number): { mantissa: bigint; exponent: number } {
  const { mantissa, exponent } = packedDecimal(price);
  return { mantissa: BigInt(mantissa), exponent };
}

function packedDecimal(price: number): { mantissa: number | bigint; exponent: number } {
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(price));
  if (!match) throw new RangeError(`cannot pack price ${price}`);
  const [, whole, fraction = '', power = '0'] = match;
  const digits = `${whole}${fraction}`;
  return { mantissa: digits.length <= 15 ? Number(digits) : BigInt(digits), exponent: Number(power) - fraction.length };
}

/**
 * The double a decimal denotes. With an exact integer mantissa and an exact power of ten, one IEEE division or
 * multiplication is correctly rounded, so it equals parsing the decimal; anything else is parsed.
 */
function priceOf(mantissa: number | bigint, exponent: number): number {
  if (typeof mantissa === 'number' && Math.abs(exponent) < POW10.length) {
    return exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!;
  }
  return Number(`${mantissa}e${exponent}`);
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
    const { mantissa, exponent } = packedDecimal(o.price);
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
  const count = input.number();
  const observations: Observation[] = [];
  let eventTime = 0;
  for (let i = 0; i < count; i++) {
    eventTime += input.number();
    const flags = input.byte();
    const zone = ZONES[flags & 3];
    if (!zone) throw new Error(`window attribute has an unknown zone code ${flags & 3}`);
    const exponent = input.int();
    const price = priceOf(input.uint(), exponent);
    observations.push({ eventTime, price, zone, marked: (flags & 4) !== 0 });
  }
  if (!input.finished) throw new Error('window attribute has trailing bytes');
  return { observations, truncated };
}
