import type { ChannelEvent, CrossDirection, Observation, Rearm, SymbolWindow, Thresholds, Zone } from '../../domain/index.js';

/**
 * A symbol's window packed into one DynamoDB binary attribute. A write costs one unit per KB of the whole item, so
 * each observation is a few bytes: one varint for the event-time delta from its predecessor with the zone and mark in
 * its low bits, and the price as the decimal it was sent as (mantissa and exponent, so it round-trips exactly),
 * written as the change of mantissa from the previous price when the exponent is the same (one byte for most ticks).
 *
 *   format 2: version · flags (bit 0: truncated, bit 1: thresholds follow) · [above · below] · count ·
 *             count × [Δ event time << 3 | mark << 2 | zone · price]
 *   price:    (zigzag(Δ mantissa) << 1) when the exponent is the previous one's, else (zigzag(exponent) << 1 | 1) · mantissa
 *   decimal:  zigzag(exponent) · mantissa (the thresholds)
 *   format 3: format 2 with more of the rule in the flags: bit 2 the rearm is a percentage, bit 3 a rearm follows
 *             the thresholds (its decimal), bits 4-5 the crossing (1 up, 2 down, 3 either), bit 6 an expiry follows
 *             (epoch ms, after the rearm), bit 7 a channel follows (one byte after that: 1 entering, 2 exiting,
 *             3 inside, 4 outside); written only for a rule with any of them, so that a version that does not know them refuses the window instead of misreading it (and
 *             a window without them stays byte for byte what it was)
 *
 * Integers are LEB128 varints. Format 1 (one byte of zone and mark, every price in full, no thresholds) is still read.
 */
const WINDOW_FORMAT = 2;
const REARM_FORMAT = 3;
const LEGACY_FORMAT = 1;
const PERCENT_FLAG = 4;
const REARM_FLAG = 8;
const UNTIL_FLAG = 64;
const CHANNEL_FLAG = 128;
const CHANNELS: readonly (ChannelEvent | undefined)[] = [undefined, 'entering', 'exiting', 'inside', 'outside'];
const CROSSINGS: readonly (CrossDirection | undefined)[] = [undefined, 'up', 'down', 'either'];

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

const zigzag = (value: number): number => (value >= 0 ? value * 2 : -value * 2 - 1);
const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

export function encodeWindow(window: SymbolWindow): Uint8Array {
  const out = new Writer();
  const rearm = window.thresholds?.rearm || undefined;
  const crossing = CROSSINGS.indexOf(window.thresholds?.crossing);
  const until = window.thresholds?.until;
  const channel = CHANNELS.indexOf(window.thresholds?.channel);
  out.byte(rearm === undefined && crossing === 0 && until === undefined && channel === 0 ? WINDOW_FORMAT : REARM_FORMAT);
  out.byte(
    (window.truncated ? 1 : 0) |
      (window.thresholds ? 2 : 0) |
      (typeof rearm === 'string' ? PERCENT_FLAG : 0) |
      (rearm === undefined ? 0 : REARM_FLAG) |
      (crossing << 4) |
      (until === undefined ? 0 : UNTIL_FLAG) |
      (channel === 0 ? 0 : CHANNEL_FLAG),
  );
  const decimal = (value: number) => {
    const { mantissa, exponent } = packedDecimal(value);
    out.int(exponent);
    out.uint(mantissa);
  };
  if (window.thresholds) {
    decimal(window.thresholds.above);
    decimal(window.thresholds.below);
  }
  if (rearm !== undefined) decimal(typeof rearm === 'string' ? Number(rearm.slice(0, -1)) : rearm);
  if (until !== undefined) out.uint(until);
  if (channel !== 0) out.byte(channel);
  out.uint(window.observations.length);
  let previousTime = 0;
  let previous: { mantissa: number | bigint; exponent: number } | undefined;
  for (const o of window.observations) {
    out.uint((o.eventTime - previousTime) * 8 + (o.marked ? 4 : 0) + ZONES.indexOf(o.zone));
    previousTime = o.eventTime;
    const decimal = packedDecimal(o.price);
    if (previous && previous.exponent === decimal.exponent && typeof previous.mantissa === 'number' && typeof decimal.mantissa === 'number') {
      out.uint(zigzag(decimal.mantissa - previous.mantissa) * 2);
    } else {
      out.uint(zigzag(decimal.exponent) * 2 + 1);
      out.uint(decimal.mantissa);
    }
    previous = decimal;
  }
  return out.done();
}

export function decodeWindow(bytes: Uint8Array): SymbolWindow {
  const input = new Reader(bytes);
  const format = input.byte();
  if (format === LEGACY_FORMAT) return decodeLegacy(input);
  if (format !== WINDOW_FORMAT && format !== REARM_FORMAT)
    throw new Error(`window attribute has format ${format}; this version reads ${LEGACY_FORMAT} to ${REARM_FORMAT}`);
  const flags = input.byte();
  const decimal = () => {
    const exponent = input.int();
    return priceOf(input.uint(), exponent);
  };
  const limits = (flags & 2) !== 0 ? { above: decimal(), below: decimal() } : undefined;
  const rule = format === REARM_FORMAT ? flags & (REARM_FLAG | (3 << 4) | UNTIL_FLAG | CHANNEL_FLAG) : 0;
  if (rule !== 0 && !limits) throw new Error('window attribute has a rearm, a crossing, an expiry or a channel without thresholds');
  const amount = (rule & REARM_FLAG) !== 0 ? decimal() : undefined;
  const rearm: Rearm | undefined = amount === undefined ? undefined : (flags & PERCENT_FLAG) !== 0 ? `${amount}%` : amount;
  const crossing = CROSSINGS[(rule >> 4) & 3];
  const until = (rule & UNTIL_FLAG) !== 0 ? input.number() : undefined;
  const code = (rule & CHANNEL_FLAG) !== 0 ? input.byte() : 0;
  const channel = CHANNELS[code];
  if (code !== 0 && !channel) throw new Error(`window attribute has an unknown channel code ${code}`);
  const thresholds: Thresholds | undefined = limits && {
    ...limits,
    ...(rearm !== undefined && { rearm }),
    ...(crossing && { crossing }),
    ...(until !== undefined && { until }),
    ...(channel && { channel }),
  };
  const count = input.number();
  const observations: Observation[] = [];
  let eventTime = 0;
  let mantissa: number | bigint = 0;
  let exponent = 0;
  for (let i = 0; i < count; i++) {
    const head = input.number();
    eventTime += Math.floor(head / 8);
    const zone = ZONES[head % 4];
    if (!zone) throw new Error(`window attribute has an unknown zone code ${head % 4}`);
    const price = input.number();
    if (price % 2 === 1) {
      exponent = unzigzag((price - 1) / 2);
      mantissa = input.uint();
    } else {
      if (i === 0 || typeof mantissa !== 'number') throw new Error('window attribute has a price change with no price before it');
      mantissa += unzigzag(price / 2);
    }
    observations.push({ eventTime, price: priceOf(mantissa, exponent), zone, marked: head % 8 >= 4 });
  }
  if (!input.finished) throw new Error('window attribute has trailing bytes');
  return { observations, truncated: (flags & 1) === 1, ...(thresholds && { thresholds }) };
}

function decodeLegacy(input: Reader): SymbolWindow {
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
