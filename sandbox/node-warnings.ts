/**
 * Warnings this machine's Node prints that say nothing about the sandbox. Each is silenced by
 * its own switch, so every other warning still shows.
 *
 * - The AWS SDK's NodeVersionSupportWarning (on Node < 22: later SDK releases will need 22).
 *   `@aws-sdk/core` skips it when this variable is exactly `true`.
 */
export const QUIET_NODE_ENV: Readonly<Record<string, string>> = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/**
 * Sets the switches in this process's environment (before any AWS SDK client is made), so the
 * CLI and every process it spawns stay quiet. A value the user set is kept.
 */
export const quietKnownNodeWarnings = (env: NodeJS.ProcessEnv = process.env): void => {
  for (const [name, value] of Object.entries(QUIET_NODE_ENV)) env[name] ??= value;
};
