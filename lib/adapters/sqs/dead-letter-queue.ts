import type { DeadLetterQueue, QueuedMessage } from '../../ports/dead-letter-queue.ts';
import { type AwsJsonCall, type AwsJsonClientOptions, awsJsonClient } from '../aws-json.ts';

interface ReceiveMessageResult {
  Messages?: {
    MessageId: string;
    ReceiptHandle: string;
    Body: string;
    MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
  }[];
}

/**
 * A dead-letter queue by name. Received messages stay invisible to other readers for
 * `visibilitySeconds`, and come back if they are not deleted by then.
 */
export const sqsDeadLetterQueue = async (
  queueName: string,
  options: AwsJsonClientOptions & { visibilitySeconds?: number },
  // SQS over its JSON protocol (AWS JSON 1.0, `AmazonSQS.<Operation>`).
  call: AwsJsonCall = awsJsonClient(
    { signingName: 'sqs', targetPrefix: 'AmazonSQS', jsonVersion: '1.0' },
    options,
  ),
): Promise<DeadLetterQueue> => {
  const { QueueUrl } = await call<{ QueueUrl: string }>('GetQueueUrl', { QueueName: queueName });
  return {
    async receive(max): Promise<QueuedMessage[]> {
      const { Messages = [] } = await call<ReceiveMessageResult>('ReceiveMessage', {
        QueueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: 1,
        VisibilityTimeout: options.visibilitySeconds ?? 300,
        MessageAttributeNames: ['All'],
      });
      return Messages.map((message) => ({
        id: message.MessageId,
        receipt: message.ReceiptHandle,
        body: message.Body,
        attributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            value.StringValue,
          ]),
        ),
      }));
    },
    async delete(receipt) {
      await call('DeleteMessage', { QueueUrl, ReceiptHandle: receipt });
    },
  };
};
