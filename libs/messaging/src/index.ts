export { createKafkaClient, type Kafka, type KafkaClientOptions } from './kafka.client';
export { kafkaAuthErrorOf, type KafkaSasl, type KafkaSecurity, type KafkaTls, type SaslMechanism } from './kafka-security';
export { ensureTopics, type EnsureTopicsOptions, type PartitionGrowth, type TopicSpec, type TopicsEnsured } from './topics.admin';
export { createAvroRegistry, type AvroRegistry, type Compatibility } from './schema-registry';
export { createMessageProducer, type MessageProducer } from './producer';
export { createDeadLetterSink, deadLetterOf, type DeadLetterSink } from './dead-letter.sink';
export { createStageConsumer } from './stage-consumer';
export {
  DEFAULT_RETRY,
  DEFAULT_MAX_BATCH_MS,
  type StageConsumer,
  type StageConsumerOptions,
  type HandlerContext,
  type MessageHandledEvent,
  type MessageOutcome,
  type Readiness,
  type RetryOptions,
  type StuckMessage,
} from './stage-consumer.types';
export { createLagReader, type LagReader, type PartitionLag } from './consumer-lag';
export type { BackoffOptions } from './backoff';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff';
export type { InboundMessage, MessageEnvelope, OutboundMessage } from './message.types';
export { describeGroup, type GroupDescription } from './group.admin';
export { liveBrokers } from './cluster.admin';
export { readGroupOffsets, readTopicRanges, offsetsAtTime, writeGroupOffsets, type PartitionOffset, type PartitionRange } from './group-offsets';
