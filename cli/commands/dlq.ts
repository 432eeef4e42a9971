import { Argument, type Command, Option } from 'commander';
import type { CliContext } from '../context.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';

/** The functions EventBridge invokes, each with its dead-letter queue (infra/delivery.yml). */
const FUNCTIONS = ['analyze', 'shift-traffic', 'cloudwatch-alarm', 'notify'] as const;

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN']);

/** An AWS failure as one line and its exit code. */
const explain = (error: unknown, queue: string, region: string): CliError => {
  const e = error as {
    name?: string;
    status?: number;
    message?: string;
    cause?: { code?: string };
  };
  const message = e.message ?? String(error);
  if (e.name === 'QueueDoesNotExist' || e.name === 'AWS.SimpleQueueService.NonExistentQueue')
    return new CliError(
      `dlq: no queue ${queue} in ${region}: is the stage deployed?`,
      EXIT.notFound,
    );
  if (e.name === 'CredentialsProviderError' || e.status === 401 || e.status === 403)
    return new CliError(`dlq: AWS refused the credentials: ${message}`, EXIT.auth);
  if (NETWORK.has(String(e.cause?.code ?? (error as { code?: string }).code)))
    return new CliError(`dlq: AWS did not answer: ${message}`, EXIT.unreachable);
  return new CliError(`dlq: ${message}`);
};

/** `kanari dlq redrive <function>`: sends dead-lettered events to their function again. */
export const dlqCommands = (program: Command, ctx: CliContext): void => {
  const dlq = program
    .command('dlq')
    .description("the dead-letter queues of kanari's functions (docs/deploying.md)");
  dlq
    .command('redrive')
    .description(
      'invoke the function again with each event of its dead-letter queue, deleting each one sent; scheduled ticks are dropped, anything else is kept',
    )
    .addArgument(new Argument('<function>', 'whose queue').choices(FUNCTIONS))
    .requiredOption('--stage <stage>', 'the deployed stage, e.g. prod')
    .option('--region <region>', 'AWS region (default: AWS_REGION)')
    .addOption(
      new Option('--limit <n>', 'look at no more than this many messages')
        .default(1000)
        .argParser((value) => {
          const n = Number(value);
          if (!Number.isInteger(n) || n < 1)
            throw new UsageError(`--limit: expected a whole number ≥ 1, got ${value}`);
          return n;
        }),
    )
    .option('--dry-run', 'list what would be sent, change nothing')
    .action(
      async (
        fn: string,
        flags: { stage: string; region?: string; limit: number; dryRun?: boolean },
      ) => {
        const region = flags.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
        if (!region) throw new UsageError('dlq: needs a region: pass --region or set AWS_REGION');
        const [{ endpointFromEnv }, { sqsDeadLetterQueue }, { lambdaInvokeAsync }, { redrive }] =
          await Promise.all([
            import('../../lib/adapters/aws-json.ts'),
            import('../../lib/adapters/sqs/dead-letter-queue.ts'),
            import('../../lib/adapters/lambda/invoke.ts'),
            import('../../lib/app/redrive.ts'),
          ]);
        const queueName = `kanari-${flags.stage}-${fn}-dlq`;
        const functionName = `kanari-${flags.stage}-${fn}`;
        try {
          const queue = await sqsDeadLetterQueue(queueName, {
            region,
            endpoint: endpointFromEnv(ctx.env, 'SQS'),
          });
          const invoke = lambdaInvokeAsync(functionName, {
            region,
            endpoint: endpointFromEnv(ctx.env, 'LAMBDA'),
          });
          const lines = await redrive({
            queue,
            invoke,
            limit: flags.limit,
            dryRun: flags.dryRun,
            onLine: (line) =>
              ctx.out(`${line.outcome}\t${line.id}\t${line.what ?? '-'}\t${line.why}\n`),
          });
          const count = (outcome: string) => lines.filter((l) => l.outcome === outcome).length;
          const sent = flags.dryRun ? count('would-redrive') : count('redriven');
          ctx.out(
            `${flags.dryRun ? 'would send' : 'sent'} ${sent} of ${lines.length} to ${functionName}; dropped ${count('dropped')}, kept ${count('kept')} in ${queueName}\n`,
          );
          if (!flags.dryRun && lines.some((l) => l.outcome === 'kept' && l.what !== undefined))
            throw new CliError(`dlq: some events could not be sent; they stay in ${queueName}`);
        } catch (error) {
          if (error instanceof CliError) throw error;
          throw explain(error, queueName, region);
        }
      },
    );
};
