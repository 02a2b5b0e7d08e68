export { installShutdown } from './shutdown';
