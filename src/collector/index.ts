// `@assent/collector` as a library: the collector to mount in an existing Node server, as a Fastify
// plugin or as a `(Request) => Promise<Response>` handler, or started on a server of its own.
export type { CookieSettings } from './app';
export {
  assentCollector,
  type Collector,
  type CollectorPluginOptions,
  type CollectorSettings,
  startCollector,
} from './collector';
export { type CollectorHandler, type CollectorHandlerOptions, collectorHandler } from './handler';
