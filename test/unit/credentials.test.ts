import { describe, expect, it } from 'vitest';
import { bearerToken, sameSecret } from '../../functions/shared/credentials.ts';

describe('credentials: one bearer parser, one secret comparison', () => {
  it("reads the token whatever the scheme's case (RFC 7235), and nothing from another scheme", () => {
    for (const header of ['Bearer abc', 'bearer abc', 'BEARER  abc ', 'bEaReR\tabc'])
      expect(bearerToken(header), header).toBe('abc');
    for (const header of ['Basic abc', 'Bearer', 'Bearer ', 'abc', 'Bearer a b'])
      expect(bearerToken(header), header).toBeUndefined();
  });

  it('compares secrets of any length without throwing, equal only when equal', () => {
    expect(sameSecret('s3cret', 's3cret')).toBe(true);
    expect(sameSecret('s3cret', 's3cre')).toBe(false);
    expect(sameSecret('', 's3cret')).toBe(false);
    expect(sameSecret('s3cret'.repeat(100), 's3cret')).toBe(false);
    expect(sameSecret('ä', 'a')).toBe(false);
  });
});
