import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The one comparison of a presented secret with an expected one, for the HTTP API's tokens and
 * the webhooks' alike. Hashing first gives equal lengths, so neither the content nor the length
 * of the secret leaks through timing.
 */
export const sameSecret = (presented: string, expected: string): boolean =>
  timingSafeEqual(
    createHash('sha256').update(presented).digest(),
    createHash('sha256').update(expected).digest(),
  );

/**
 * The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive
 * (RFC 7235). `undefined` for another scheme or no token.
 */
export const bearerToken = (header: string): string | undefined =>
  /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
