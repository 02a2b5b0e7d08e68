import { newClusterId } from './kafka.service';

describe('newClusterId', () => {
  it('never starts with "-": kafka-storage format would read the id as an option', () => {
    // 0xf8 encodes to "-" as the first base64url character (the CI failure of 2026-12-02: "-4GwszF2iLY-qaQRCJWWog")
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x00)];
    expect(Buffer.alloc(16, 0xf8).toString('base64url').startsWith('-')).toBe(true);
    expect(newClusterId(() => draws.shift() ?? Buffer.alloc(16, 0x01))).toBe(Buffer.alloc(16, 0x00).toString('base64url'));
    expect(draws).toHaveLength(0);
  });

  it('is 22 characters of base64url, as Kafka prints a Uuid', () => {
    for (let i = 0; i < 200; i++) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
