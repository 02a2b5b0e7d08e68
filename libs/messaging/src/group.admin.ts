import type { Kafka } from 'kafkajs';

export interface GroupDescription {
  groupId: string;
  state: string;
  members: Array<{ memberId: string; clientId: string; clientHost: string }>;
}

export async function describeGroup(kafka: Kafka, groupId: string): Promise<GroupDescription> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    return {
      groupId,
      state: group?.state ?? 'Dead',
      members: (group?.members ?? []).map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })),
    };
  } finally {
    await admin.disconnect();
  }
}
