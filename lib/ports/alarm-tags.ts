/**
 * Reads a CloudWatch alarm's tags, which its state-change event does not carry.
 *
 * Errors: throws when the tags cannot be read; the caller lets the event be delivered again.
 */
export interface AlarmTagReader {
  tagsOf(alarmArn: string): Promise<Record<string, string>>;
}
