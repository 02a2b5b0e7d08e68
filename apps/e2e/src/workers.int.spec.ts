import { describeGroup, createKafkaClient } from '@brokered-etl/messaging';
import { createSilentLogger } from '@brokered-etl/observability';
import { appEnvFor, integrationEnv, parseLogLine, startApp, uniqueName, waitFor } from '@brokered-etl/testing';

/** (d) each stage app starts, joins its consumer group, and leaves it on SIGTERM within seconds. */
describe.each(['extractor', 'transformer', 'loader'])('%s app', (app) => {
  it('joins its group and stops cleanly on SIGTERM', async () => {
    const env = integrationEnv();
    const namespace = uniqueName('it-app');
    const process = startApp(app, {
      ...appEnvFor(env, namespace),
      // a free ops port: a second checkout testing on this host must not collide on 9464-9466
      OPS_PORT: '0',
    });
    try {
      const joined = parseLogLine(await process.waitForLine((line) => parseLogLine(line)?.['message'] === 'joined group', 90_000));
      expect(joined?.['groupId']).toBe(`${namespace}.etl.${app}`);

      const kafka = createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'it-apps', logger: createSilentLogger() });
      const group = await waitFor('one member in the group', async () => {
        const g = await describeGroup(kafka, `${namespace}.etl.${app}`);
        return g.members.length === 1 ? g : undefined;
      });
      expect(group.state).toBe('Stable');

      const { code, ms } = await process.stop('SIGTERM');
      expect(code).toBe(0);
      expect(ms).toBeLessThan(10_000);
      expect(process.lines.some((line) => parseLogLine(line)?.['message'] === 'left group')).toBe(true);
      await waitFor('the group to be empty', async () => (await describeGroup(kafka, `${namespace}.etl.${app}`)).members.length === 0);
    } finally {
      await process.stop('SIGKILL');
    }
  });
});
