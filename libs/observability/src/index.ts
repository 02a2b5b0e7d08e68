export { createRootLogger, createSilentLogger, type Logger, type LoggerOptions } from './logger';
