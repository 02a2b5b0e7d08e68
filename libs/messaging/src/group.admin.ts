import type { Kafka } from 'kafkajs';
import { withAdmin } from './kafka.client';

export interface GroupDescription {
  groupId: string;
  state: string;
  members: Array<{ memberId: string; clientId: string; clientHost: string }>;
}

export function describeGroup(kafka: Kafka, groupId: string): Promise<GroupDescription> {
  return withAdmin(kafka, async (admin) => {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    return {
      groupId,
      state: group?.state ?? 'Dead',
      members: (group?.members ?? []).map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })),
    };
  });
}
