import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../errors/index.js';
import { crc32, isZipArchive, readZipDirectory, readZipEntry, type ZipEntry } from './zip.js';

interface TestEntry {
  name: string;
  data: Uint8Array;
  method?: number;
  /** Write 0xffffffff sizes and offset in the central directory, with a zip64 extra field. */
  zip64?: boolean;
  flags?: number;
  crc?: number;
  uncompressedSize?: number;
}

async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A minimal zip writer (APPNOTE 6.3): local headers, central directory, optional zip64 records. */
async function makeZip(entries: TestEntry[], options: { zip64Eocd?: boolean; comment?: string } = {}): Promise<Uint8Array> {
  const parts: number[] = [];
  const u16 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff);
  const u32 = (v: number) => { u16(v & 0xffff); u16(v >>> 16); };
  const u64 = (v: number) => { u32(v % 2 ** 32); u32(Math.floor(v / 2 ** 32)); };
  const bytes = (b: Uint8Array | number[]) => parts.push(...b);
  const central: Array<{ entry: TestEntry; offset: number; stored: Uint8Array; crc: number; name: Uint8Array }> = [];
  for (const entry of entries) {
    const stored = entry.method === 8 ? await deflateRaw(entry.data) : entry.data;
    const name = new TextEncoder().encode(entry.name);
    const crc = entry.crc ?? crc32(entry.data);
    central.push({ entry, offset: parts.length, stored, crc, name });
    u32(0x04034b50); u16(20); u16(entry.flags ?? 0); u16(entry.method ?? 0); u16(0); u16(0);
    u32(crc); u32(stored.length); u32(entry.data.length); u16(name.length); u16(3);
    bytes(name); bytes([0xaa, 0xbb, 0xcc]); // local extra padding, as torch writes
    bytes(stored);
  }
  const directoryOffset = parts.length;
  for (const { entry, offset, stored, crc, name } of central) {
    const extra: number[] = [];
    if (entry.zip64) {
      const saved = parts.splice(0);
      u16(0x0001); u16(24); u64(entry.uncompressedSize ?? entry.data.length); u64(stored.length); u64(offset);
      extra.push(...parts.splice(0));
      parts.push(...saved);
    }
    u32(0x02014b50); u16(45); u16(45); u16(entry.flags ?? 0); u16(entry.method ?? 0); u16(0); u16(0);
    u32(crc);
    u32(entry.zip64 ? 0xffffffff : stored.length);
    u32(entry.zip64 ? 0xffffffff : entry.uncompressedSize ?? entry.data.length);
    u16(name.length); u16(extra.length); u16(0); u16(0); u16(0); u32(0);
    u32(entry.zip64 ? 0xffffffff : offset);
    bytes(name); bytes(extra);
  }
  const directorySize = parts.length - directoryOffset;
  if (options.zip64Eocd) {
    const record = parts.length;
    u32(0x06064b50); u64(44); u16(45); u16(45); u32(0); u32(0);
    u64(entries.length); u64(entries.length); u64(directorySize); u64(directoryOffset);
    u32(0x07064b50); u32(0); u64(record); u32(1);
  }
  const comment = new TextEncoder().encode(options.comment ?? '');
  u32(0x06054b50); u16(0); u16(0);
  u16(options.zip64Eocd ? 0xffff : entries.length); u16(options.zip64Eocd ? 0xffff : entries.length);
  u32(options.zip64Eocd ? 0xffffffff : directorySize); u32(options.zip64Eocd ? 0xffffffff : directoryOffset);
  u16(comment.length); bytes(comment);
  return Uint8Array.from(parts);
}

async function readAll(zip: Uint8Array): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of readZipDirectory(zip)) out.set(entry.name, new TextDecoder().decode(await readZipEntry(zip, entry)));
  return out;
}

async function formatErrorOf(read: () => Promise<unknown>): Promise<FileFormatError | undefined> {
  try {
    await read();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(FileFormatError);
    return error as FileFormatError;
  }
}

const text = (s: string) => new TextEncoder().encode(s);
const long = text('deflate me '.repeat(200));

describe('zip reader', () => {
  it('reads stored and deflated entries, with an archive comment', async () => {
    const zip = await makeZip([
      { name: 'top/a.txt', data: text('hello') },
      { name: 'top/long.txt', data: long, method: 8 },
      { name: 'top/empty', data: new Uint8Array(0) },
      { name: 'top/ünï.txt', data: text('ü'), method: 8 },
    ], { comment: 'a comment PK' });
    expect(isZipArchive(zip)).toBe(true);
    const entries = readZipDirectory(zip);
    expect(entries.map((e) => [e.name, e.method])).toEqual([['top/a.txt', 0], ['top/long.txt', 8], ['top/empty', 0], ['top/ünï.txt', 8]]);
    expect(entries[1].compressedSize).toBeLessThan(long.length);
    expect(await readAll(zip)).toEqual(new Map([['top/a.txt', 'hello'], ['top/long.txt', 'deflate me '.repeat(200)], ['top/empty', ''], ['top/ünï.txt', 'ü']]));
  });

  it('returns stored entries as views into the archive', async () => {
    const zip = await makeZip([{ name: 'a', data: text('abc') }]);
    const data = await readZipEntry(zip, readZipDirectory(zip)[0]);
    expect(data.buffer).toBe(zip.buffer);
  });

  it('reads zip64 records and extra fields', async () => {
    const zip = await makeZip([
      { name: 'x/one', data: text('first'), zip64: true },
      { name: 'x/two', data: long, method: 8, zip64: true },
    ], { zip64Eocd: true });
    const entries = readZipDirectory(zip);
    expect(entries.map((e) => e.uncompressedSize)).toEqual([5, long.length]);
    expect(entries[1].localHeaderOffset).toBeGreaterThan(0);
    expect(await readAll(zip)).toEqual(new Map([['x/one', 'first'], ['x/two', 'deflate me '.repeat(200)]]));
  });

  it('reads an empty archive', async () => {
    const zip = await makeZip([]);
    expect(isZipArchive(zip)).toBe(true);
    expect(readZipDirectory(zip)).toEqual([]);
  });

  it('computes CRC-32 check values', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('zip reader errors', () => {
  it('rejects CRC mismatches', async () => {
    for (const method of [0, 8]) {
      const zip = await makeZip([{ name: 'a', data: long, method, crc: 1234 }]);
      const error = await formatErrorOf(() => readAll(zip));
      expect(error?.message).toMatch(/^zip: entry "a" fails its CRC-32 check; expected 0x4d2, got 0x[0-9a-f]+\.$/);
    }
  });

  it('rejects unsupported methods and encryption as UNSUPPORTED_FORMAT', async () => {
    const bzip = await makeZip([{ name: 'a', data: text('x'), method: 12 }]);
    expect((await formatErrorOf(() => readAll(bzip)))?.code).toBe('UNSUPPORTED_FORMAT');
    const encrypted = await makeZip([{ name: 'a', data: text('x'), flags: 1 }]);
    expect((await formatErrorOf(() => readAll(encrypted)))?.message).toContain('entry "a" is encrypted');
  });

  it('rejects corrupt deflate data and wrong declared sizes', async () => {
    const zip = await makeZip([{ name: 'a', data: long, method: 8 }]);
    const entry = readZipDirectory(zip)[0];
    const corrupt = zip.slice();
    corrupt.fill(0xff, 40, 60);
    expect((await formatErrorOf(() => readZipEntry(corrupt, entry)))?.code).toBe('MALFORMED_FILE');
    const small: ZipEntry = { ...entry, uncompressedSize: 100 };
    expect((await formatErrorOf(() => readZipEntry(zip, small)))?.message).toContain('inflates to more bytes than declared; expected 100');
    const big: ZipEntry = { ...entry, uncompressedSize: long.length + 1 };
    expect((await formatErrorOf(() => readZipEntry(zip, big)))?.message).toContain(`inflates to the wrong size; expected ${long.length + 1} bytes, got ${long.length}.`);
    const stored = await makeZip([{ name: 'b', data: text('abc'), uncompressedSize: 4 }]);
    expect((await formatErrorOf(() => readAll(stored)))?.message).toContain('is stored but its sizes differ');
  });

  it('rejects files that are not zip archives', async () => {
    expect(isZipArchive(text('hello world'))).toBe(false);
    expect((await formatErrorOf(async () => readZipDirectory(text('short'))))?.message).toContain('file is too short to be a zip archive');
    expect((await formatErrorOf(async () => readZipDirectory(new Uint8Array(100))))?.message).toContain('end of central directory record is missing');
  });

  it('gives FileFormatError for every truncation and for flipped bytes', async () => {
    for (const zip64 of [false, true]) {
      const zip = await makeZip([
        { name: 'p/a', data: text('stored data'), zip64 },
        { name: 'p/b', data: long, method: 8, zip64 },
      ], { zip64Eocd: zip64 });
      const expected = await readAll(zip);
      for (let length = 0; length < zip.length; length++) {
        expect(await formatErrorOf(() => readAll(zip.subarray(0, length))), `truncated to ${length}`).toBeDefined();
      }
      for (let position = 0; position < zip.length; position++) {
        const copy = zip.slice();
        copy[position] ^= 0x55;
        const error = await formatErrorOf(() => readAll(copy));
        // A flip in a name, a version or padding goes unnoticed; the data itself never does.
        if (error === undefined) expect([...(await readAll(copy)).values()]).toEqual([...expected.values()]);
      }
    }
  });
});
