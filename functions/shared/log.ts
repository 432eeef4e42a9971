/** One JSON line per record, which CloudWatch Logs Insights can query. Never pass secrets. */
export const log = (message: string, fields: Record<string, unknown> = {}): void => {
  console.log(JSON.stringify({ time: new Date().toISOString(), message, ...fields }));
};
