import { Writable } from 'node:stream';
import { createLogger, format, transports } from 'winston';
import { redactFormat } from './logger';
import { clearRegisteredSecrets, redactDeep, redactSecrets, registerSecret } from './redact';

afterEach(() => clearRegisteredSecrets());

describe('redactSecrets', () => {
  it('masks the password of a URL, keeping the user and host', () => {
    expect(redactSecrets('cannot connect to mongodb://etl:hunter2@db:27017/x?authSource=admin')).toBe('cannot connect to mongodb://etl:***@db:27017/x?authSource=admin');
    expect(redactSecrets('registry https://u:p%40ss@reg.example/apis/ccompat/v7 down')).toBe('registry https://u:***@reg.example/apis/ccompat/v7 down');
    expect(redactSecrets('mongodb+srv://a:b@cluster0.example.net/db')).toBe('mongodb+srv://a:***@cluster0.example.net/db');
  });

  it('leaves URLs without a password and host:port pairs alone', () => {
    for (const text of ['http://127.0.0.1:8081/apis', 'mongodb://user@db:27017/', 'broker 127.0.0.1:9092 down', 'at 12:30:01']) expect(redactSecrets(text)).toBe(text);
  });

  it('masks password= and token= parameters', () => {
    expect(redactSecrets('mongodb://db/?password=abc&tls=true')).toBe('mongodb://db/?password=***&tls=true');
    expect(redactSecrets('token=xyz123 rest')).toBe('token=*** rest');
  });

  it('masks registered literal secrets anywhere', () => {
    registerSecret('s3cret-sasl-pw');
    registerSecret('ab'); // too short to mask safely: ignored
    expect(redactSecrets('login failed for etl/s3cret-sasl-pw; about')).toBe('login failed for etl/***; about');
  });
});

describe('redactDeep', () => {
  it('redacts every string in nested fields without touching the original', () => {
    registerSecret('tok-123456');
    const fields = { a: ['x tok-123456'], b: { c: 'http://u:p@h/' }, n: 3 };
    expect(redactDeep(fields)).toEqual({ a: ['x ***'], b: { c: 'http://u:***@h/' }, n: 3 });
    expect(fields.a[0]).toBe('x tok-123456');
  });
});

describe('redactFormat', () => {
  it('keeps secrets out of the message, the fields and the stack of a logged line', () => {
    registerSecret('sasl-pw-0001');
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = createLogger({ format: format.combine(format.errors({ stack: true }), redactFormat(), format.json()), transports: [new transports.Stream({ stream: sink })] });
    logger.error('cannot reach mongodb://etl:mongo-pw@db/', { url: 'https://u:reg-pw@r/', detail: { why: 'sasl-pw-0001 refused' } });
    logger.error(new Error('boom mongodb://etl:mongo-pw@db/'));
    expect(lines).toHaveLength(2);
    for (const secret of ['mongo-pw', 'reg-pw', 'sasl-pw-0001']) for (const line of lines) expect(line).not.toContain(secret);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ message: 'cannot reach mongodb://etl:***@db/', url: 'https://u:***@r/', detail: { why: '*** refused' } });
  });
});
