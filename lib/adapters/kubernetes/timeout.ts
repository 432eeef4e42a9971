import {
  type ConfigurationOptions,
  Observable,
  type ObservableMiddleware,
} from '@kubernetes/client-node';

/** Aborts the request (headers and body) after `ms`. */
export function withTimeout(ms: number): ConfigurationOptions<ObservableMiddleware> {
  const timeout: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(AbortSignal.timeout(ms));
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [timeout], middlewareMergeStrategy: 'append' };
}
