/**
 * The console link that logs in by itself: the token rides in the URL fragment, which the
 * browser keeps to itself, so it never reaches a server, a proxy or an access log.
 */
export const consoleLink = (apiUrl: string, token: string): string =>
  `${apiUrl.replace(/\/+$/, '')}/#token=${encodeURIComponent(token)}`;

/** What a sandbox prints to paste: the CLI's environment, and the console link. */
export const pasteLines = (apiUrl: string, token: string): string[] => [
  'Paste into another shell to point the kanari CLI at this sandbox:',
  `  export KANARI_URL=${apiUrl.replace(/\/+$/, '')} KANARI_TOKEN=${token}`,
  `Console: ${consoleLink(apiUrl, token)}`,
];
