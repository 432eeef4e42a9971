import type { HttpRoute } from './virtual-service.ts';

/**
 * Which http routes can never be reached. In Istio the first route whose match fits a request
 * wins, so a catch-all or a `prefix: /` ahead of `prefix: /v2` hides the later one. The rule is
 * conservative: a later route is reported only when every one of its matches is covered by a
 * match of an earlier route that tests the URI alone (no headers, methods, ports, ...).
 */

interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

interface MatchRequest {
  uri?: StringMatch;
  ignoreUriCase?: boolean;
  [key: string]: unknown;
}

export interface ShadowedRoute {
  /** The route that is never reached. */
  index: number;
  /** The earlier route that takes its traffic (the first one found). */
  by: number;
}

// Fields that name a match without narrowing it.
const NEUTRAL = new Set(['name', 'uri', 'ignoreUriCase']);

const matchesOf = (route: HttpRoute): MatchRequest[] =>
  Array.isArray(route.match) ? (route.match as MatchRequest[]) : [];

/** A route without match conditions takes every request. */
const isCatchAll = (route: HttpRoute): boolean =>
  matchesOf(route).length === 0 || matchesOf(route).some((m) => Object.keys(m).length === 0);

const testsUriAlone = (match: MatchRequest): boolean =>
  Object.keys(match).every((key) => NEUTRAL.has(key));

/** True when every request `later` matches is also matched by `earlier`. */
const covers = (earlier: MatchRequest, later: MatchRequest): boolean => {
  if (!testsUriAlone(earlier) || earlier.ignoreUriCase) return false;
  const uri = earlier.uri;
  if (uri === undefined) return true;
  const wanted = later.uri;
  // A case-insensitive later match also takes /V2 when it says /v2; only letter-free prefixes cover it.
  const caseSafe = (text: string) => !later.ignoreUriCase || !/[a-z]/i.test(text);
  if (uri.prefix !== undefined) {
    // Every path starts with "/", so an empty or "/" prefix takes everything.
    if (uri.prefix === '' || uri.prefix === '/') return true;
    const path = wanted?.prefix ?? wanted?.exact;
    return (path?.startsWith(uri.prefix) ?? false) && caseSafe(uri.prefix);
  }
  if (uri.exact !== undefined)
    return wanted?.exact === uri.exact && !later.ignoreUriCase && wanted.prefix === undefined;
  return false;
};

const describeMatch = (match: MatchRequest): string => {
  const uri = match.uri;
  if (!uri) return 'every request';
  if (uri.prefix !== undefined) return `prefix ${uri.prefix}`;
  if (uri.exact !== undefined) return `exact ${uri.exact}`;
  return `regex ${uri.regex ?? ''}`;
};

/** A route as people read it: its name, or its index and first match. */
export const describeRoute = (route: HttpRoute, index: number): string => {
  const [first] = matchesOf(route);
  const what = isCatchAll(route) || !first ? 'no match: every request' : describeMatch(first);
  return `http route ${index}${route.name ? ` "${route.name}"` : ''} (${what})`;
};

/** Routes that an earlier route hides entirely, in order. */
export const shadowedRoutes = (routes: HttpRoute[]): ShadowedRoute[] => {
  const found: ShadowedRoute[] = [];
  routes.forEach((route, index) => {
    const earlier = routes.slice(0, index);
    const by = earlier.findIndex((before) => {
      if (isCatchAll(before)) return true;
      const laterMatches: MatchRequest[] = isCatchAll(route) ? [{}] : matchesOf(route);
      return laterMatches.every((match) => matchesOf(before).some((m) => covers(m, match)));
    });
    if (by >= 0) found.push({ index, by });
  });
  return found;
};
