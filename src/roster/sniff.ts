/**
 * Sniffs a file's text encoding and delimiter from its first bytes. Pure (works on a Buffer).
 */
import { isUtf8 } from 'node:buffer';

export type SniffedEncoding = 'utf8' | 'windows-1252';
export type EncodingVerdict = { encoding: SniffedEncoding; bom: boolean } | { undecodable: string };

const BOM = [0xef, 0xbb, 0xbf];

/** Bytes that end the sample in the middle of a UTF-8 sequence are ignored. */
export function utf8Prefix(buf: Buffer): Buffer {
  let end = buf.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = buf[end - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    if (b >= 0xc0) end -= back; // a lead byte whose sequence may be incomplete
    break;
  }
  return buf.subarray(0, end);
}

/**
 * Classifies the first bytes of a file. `configured` 'auto' decides UTF-8 vs Windows-1252 from
 * the sample (the caller also checks the rest of the file while reading). Binary content (over
 * 5% NUL or control bytes) and UTF-16 are undecodable.
 */
export function sniffEncoding(sample: Buffer, configured: 'auto' | 'utf8' | 'windows-1252' | 'latin1'): EncodingVerdict {
  const bom = sample.length >= 3 && BOM.every((b, i) => sample[i] === b);
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) {
    return { undecodable: 'UTF-16 text; save the file as UTF-8' };
  }
  if (sample[0] === 0x1f && sample[1] === 0x8b) return { undecodable: 'a gzip archive, not text' };
  if (sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04) {
    return { undecodable: 'a zip archive (an .xlsx workbook?), not CSV text' };
  }
  let controls = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i]!;
    // A stray NUL or control byte is a cell's problem (quarantined, named per field); many of
    // them (UTF-16 without a BOM, a binary file) are the file's.
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) controls++;
  }
  if (sample.length && controls / sample.length > 0.05) return { undecodable: 'binary content (NUL bytes or control characters)' };
  const valid = isUtf8(utf8Prefix(sample));
  if (configured === 'utf8') return valid ? { encoding: 'utf8', bom } : { undecodable: 'not valid UTF-8 (configure encoding: windows-1252?)' };
  if (configured === 'windows-1252' || configured === 'latin1') return { encoding: 'windows-1252', bom: false };
  return { encoding: bom || valid ? 'utf8' : 'windows-1252', bom };
}

/**
 * The offset of the first byte that does not start or continue a valid UTF-8 sequence (RFC 3629:
 * no overlong forms, no surrogates, nothing past U+10FFFF), or -1. A sequence cut off by the end
 * of `buf` counts as invalid only when `final`.
 */
export function invalidUtf8Offset(buf: Uint8Array, final = true): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) { i++; continue; }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) { need = 2; if (b === 0xe0) lo = 0xa0; if (b === 0xed) hi = 0x9f; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; if (b === 0xf0) lo = 0x90; if (b === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return final ? i : -1;
      const c = buf[i + k]!;
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

const CANDIDATES = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof CANDIDATES)[number];

/** Counts each candidate outside quotes on the first lines; the one most consistent and frequent wins. */
export function sniffDelimiter(text: string, maxLines = 20): Delimiter {
  const counts = new Map<Delimiter, number[]>(CANDIDATES.map((c) => [c, [0]]));
  let inQuotes = false;
  let line = 0;
  for (let i = 0; i < text.length && line < maxLines; i++) {
    const ch = text[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && ch === '\n') {
      line++;
      for (const c of CANDIDATES) counts.get(c)!.push(0);
    } else if (!inQuotes && counts.has(ch as Delimiter)) {
      const arr = counts.get(ch as Delimiter)!;
      arr[arr.length - 1]!++;
    }
  }
  let best: Delimiter = ',';
  let bestScore = 0;
  for (const c of CANDIDATES) {
    const arr = counts.get(c)!;
    const lines = arr.length > 1 && arr[arr.length - 1] === 0 ? arr.slice(0, -1) : arr;
    const header = lines[0] ?? 0;
    if (header === 0) continue;
    const consistent = lines.filter((n) => n === header).length / lines.length;
    const score = header * (0.5 + consistent);
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}
