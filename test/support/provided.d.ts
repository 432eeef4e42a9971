import 'vitest';

declare module 'vitest' {
  /** Values test/support/global-setup.ts provides to the integration project. */
  export interface ProvidedContext {
    /** DynamoDB Local for the whole run; each test file creates its own tables. */
    dynamoEndpoint: string;
  }
}
