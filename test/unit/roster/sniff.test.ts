import { describe, expect, it } from 'vitest';
import { sniffDelimiter, sniffEncoding } from '../../../src/roster/sniff';
import { chooseMapping, duplicateHeaders } from '../../../src/roster/header-synonyms';

describe('sniffDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3\n', ','], ['a;b;c\n1;2;3\n', ';'], ['a\tb\tc\n1\t2\t3\n', '\t'], ['a|b|c\n1|2|3\n', '|'],
    ['"x,y";b;c\n"1,2";2;3\n', ';'], ['single\n1\n', ','],
  ])('%j → %j', (text, d) => expect(sniffDelimiter(text)).toBe(d));
});

describe('sniffEncoding', () => {
  it('sees a BOM, plain UTF-8 and Latin-1', () => {
    expect(sniffEncoding(Buffer.from('\ufeffa,b\n', 'utf8'), 'auto')).toEqual({ encoding: 'utf8', bom: true });
    expect(sniffEncoding(Buffer.from('a,Doña\n', 'utf8'), 'auto')).toEqual({ encoding: 'utf8', bom: false });
    expect(sniffEncoding(Buffer.from('a,Do\xf1a\n', 'latin1'), 'auto')).toEqual({ encoding: 'windows-1252', bom: false });
  });
  it('refuses binary, UTF-16 and invalid UTF-8 when UTF-8 is configured', () => {
    expect(sniffEncoding(Buffer.from([0x41, 0x00, 0x42]), 'auto')).toHaveProperty('undecodable');
    expect(sniffEncoding(Buffer.from([0xff, 0xfe, 0x41, 0x00]), 'auto')).toHaveProperty('undecodable');
    expect(sniffEncoding(Buffer.from('a,Do\xf1a\n', 'latin1'), 'utf8')).toHaveProperty('undecodable');
  });
});

describe('chooseMapping', () => {
  it('matches synonyms case- and space-insensitively', () => {
    const c = chooseMapping(['\ufeffID', 'Practice Name', 'Street', 'Zip Code', 'Telephone', 'ST']);
    expect(c.mapping).toEqual({ externalId: 'ID', name: 'Practice Name', address1: 'Street', postal: 'Zip Code', phone: 'Telephone', state: 'ST' });
  });
  it('uses an explicit mapping and reports missing columns', () => {
    const c = chooseMapping(['NPI', 'Org'], { externalId: 'npi', name: 'Org', phone: 'Tel' });
    expect(c.index).toEqual({ externalId: 0, name: 1 });
    expect(c.missing).toEqual([{ field: 'phone', header: 'Tel' }]);
  });
  it('finds duplicate headers', () => expect(duplicateHeaders(['a', 'B', 'b ', 'c'])).toEqual(['B']));
});
