export { installShutdown } from './shutdown';
export { sleep } from './sleep';
