import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/app/errors.js';
import { describeFailure } from '../../src/cli/failures.js';
import { UserError } from '../../src/shared/user-error.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 9 });

describe('describeFailure', () => {
  it('prints our own errors as they are', () => {
    expect(describeFailure(new UserError('--env "X" is invalid'))).toBe('--env "X" is invalid');
  });

  it('explains an unreachable endpoint, with the service and endpoint of the failed call when known', () => {
    expect(describeFailure(refused())).toMatch(/^cannot reach the service at 127\.0\.0\.1:9 \(ECONNREFUSED\): check the endpoint/);
    expect(describeFailure(new AggregateError([refused()]))).toMatch(/^cannot reach the service at 127\.0\.0\.1:9 /);
    expect(describeFailure(new ServiceError(new Error('wrapped', { cause: refused() }), { service: 'SQS', endpoint: 'http://127.0.0.1:9' }))).toMatch(
      /^cannot reach SQS at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/,
    );
    expect(describeFailure(Object.assign(new Error('getaddrinfo ENOTFOUND sqs.example'), { code: 'ENOTFOUND', hostname: 'sqs.example' }))).toMatch(
      /^cannot reach the service at sqs\.example /,
    );
    expect(describeFailure(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toMatch(/^cannot reach the service at the endpoint /);
  });

  it('says what stopped, then why', () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    expect(describeFailure(new ServiceError(denied, { service: 'SQS', stopped: 'publishing stopped' }))).toBe('publishing stopped: not authorized');
  });

  it('explains missing or refused credentials', () => {
    expect(describeFailure(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }))).toBe(
      'AWS rejected or could not find credentials (Could not load credentials from any providers): configure them as for the AWS CLI (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)',
    );
  });

  it('explains file-system errors with their path, and others by their message', () => {
    expect(describeFailure(Object.assign(new Error('x'), { code: 'EACCES', syscall: 'open', path: '/data/x.jsonl' }))).toBe(
      'cannot open /data/x.jsonl: permission denied: check the owner and mode of the file and its folder (EACCES)',
    );
    expect(describeFailure(Object.assign(new Error('x'), { code: 'ENOSPC', syscall: 'write', path: '/data/x.jsonl' }))).toBe(
      'cannot write /data/x.jsonl: the disk is full: free some space and run the command again (ENOSPC)',
    );
    expect(describeFailure(Object.assign(new Error('x'), { code: 'EMFILE', syscall: 'scandir' }))).toBe(
      'scandir failed: too many open files: raise the limit (ulimit -n) or close other programs (EMFILE)',
    );
    expect(describeFailure(Object.assign(new Error('x'), { code: 'EROFS' }))).toBe('a file operation failed: the file system is read-only (EROFS)');
    expect(describeFailure(new Error('something else'))).toBe('something else');
    expect(describeFailure('a string')).toBe('a string');
  });
});
